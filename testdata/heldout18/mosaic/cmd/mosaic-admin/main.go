// Command mosaic-admin runs operator tasks against the production KV
// namespace through the Cloudflare REST API. Credentials come from
// CF_ACCOUNT_ID, CF_KV_NAMESPACE_ID and CF_API_TOKEN.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"example.com/mosaic/internal/admin"
	"example.com/mosaic/internal/cfapi"
	"example.com/mosaic/internal/config"
)

type command func(ctx context.Context, a *admin.Admin, arg string) error

var commands = map[string]command{
	"backup": func(ctx context.Context, a *admin.Admin, prefix string) error {
		next, err := a.Backup(ctx, os.Stdout, prefix, os.Getenv("RESUME_CURSOR"))
		if next != "" {
			fmt.Fprintln(os.Stderr, "resume with RESUME_CURSOR="+next)
		}
		return err
	},
	"peek": func(ctx context.Context, a *admin.Admin, prefix string) error { return a.Peek(ctx, os.Stdout, prefix) },
	"count": func(ctx context.Context, a *admin.Admin, prefix string) error {
		n, err := a.CountPrefix(ctx, prefix)
		fmt.Println(n)
		return err
	},
	"expiring": func(ctx context.Context, a *admin.Admin, _ string) error {
		keys, err := a.ExpiringLinks(ctx, time.Now().Add(24*time.Hour))
		fmt.Println(strings.Join(keys, "\n"))
		return err
	},
	"import": func(ctx context.Context, a *admin.Admin, path string) error {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		return a.Migrate(ctx, f)
	},
	"tags": func(ctx context.Context, a *admin.Admin, arg string) error {
		id, tags, _ := strings.Cut(arg, "=")
		return a.MergeTags(ctx, id, strings.Split(tags, ","))
	},
	"reports": func(ctx context.Context, a *admin.Admin, arg string) error {
		n, err := strconv.Atoi(arg)
		if err == nil {
			_, err = a.RecordReports(ctx, time.Now(), n)
		}
		return err
	},
	"signout": func(ctx context.Context, a *admin.Admin, uid string) error {
		_, err := a.RevokeUserSessions(ctx, uid)
		return err
	},
	"announce": func(ctx context.Context, a *admin.Admin, text string) error { return a.Announce(ctx, text) },
	"maintenance": func(ctx context.Context, a *admin.Admin, msg string) error {
		return a.SetMaintenance(ctx, msg, os.Getenv("USER"), time.Now().Add(30*time.Minute))
	},
	"seed": func(ctx context.Context, a *admin.Admin, _ string) error { return a.SeedDefaults(ctx) },
	"publish": func(ctx context.Context, a *admin.Admin, id string) error {
		al, err := a.Album(ctx, id)
		if err != nil {
			return err
		}
		return a.Publish(ctx, al, os.Getenv("COMMUNITY") == "1")
	},
	"inspect": func(ctx context.Context, a *admin.Admin, tokens string) error {
		links, err := a.Inspect(ctx, strings.Split(tokens, ","))
		if err != nil {
			return err
		}
		return json.NewEncoder(os.Stdout).Encode(links)
	},
	"purge": func(ctx context.Context, a *admin.Admin, ids string) error {
		return a.PurgeTombstones(ctx, strings.Split(ids, ","))
	},
}

func main() {
	if len(os.Args) < 2 || commands[os.Args[1]] == nil {
		fmt.Fprintln(os.Stderr, "usage: mosaic-admin <command> [argument]")
		os.Exit(2)
	}
	log := config.NewLogger(os.Stderr, os.Getenv("MOSAIC_LOG_LEVEL"))
	client := cfapi.New(os.Getenv("CF_ACCOUNT_ID"), os.Getenv("CF_KV_NAMESPACE_ID"), os.Getenv("CF_API_TOKEN"))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := commands[os.Args[1]](ctx, admin.New(client, log, 50), strings.Join(os.Args[2:], " ")); err != nil {
		log.Error("command failed", "command", os.Args[1], "err", err)
		os.Exit(1)
	}
}
