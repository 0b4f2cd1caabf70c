// Command flagctl manages feature flags served from Workers KV.
//
//	flagctl list
//	flagctl set NAME on|off [ROLLOUT%]
//	flagctl publish flags.json
//	flagctl snapshot
//	flagctl restore BACKUP-KEY
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"os/user"
	"strconv"
	"strings"

	"example.com/ops/internal/cfclient"
	"example.com/ops/internal/flags"
)

func main() {
	log.SetFlags(0)
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: flagctl list|set|publish|snapshot|restore ...")
		os.Exit(2)
	}
	api, rc, err := cfclient.Legacy()
	if err != nil {
		log.Fatal(err)
	}
	admin := flags.NewAdmin(api, rc)
	ctx := context.Background()

	commands := map[string]func(context.Context, *flags.Admin, []string) error{
		"list":     list,
		"set":      set,
		"publish":  publish,
		"snapshot": snapshot,
		"restore": func(ctx context.Context, a *flags.Admin, args []string) error {
			if len(args) != 1 {
				return fmt.Errorf("restore BACKUP-KEY")
			}
			return a.Restore(ctx, args[0])
		},
	}
	cmd, ok := commands[os.Args[1]]
	if !ok {
		log.Fatalf("unknown command %q", os.Args[1])
	}
	if err := cmd(ctx, admin, os.Args[2:]); err != nil {
		log.Fatal(err)
	}
}

func list(ctx context.Context, a *flags.Admin, _ []string) error {
	fl, err := a.List(ctx)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(fl)
}

func set(ctx context.Context, a *flags.Admin, args []string) error {
	if len(args) < 2 {
		return fmt.Errorf("set NAME on|off [ROLLOUT%%]")
	}
	f := flags.Flag{Enabled: args[1] == "on", Rollout: 100}
	if len(args) > 2 {
		n, err := strconv.Atoi(strings.TrimSuffix(args[2], "%"))
		if err != nil || n < 0 || n > 100 {
			return fmt.Errorf("rollout must be 0-100, got %q", args[2])
		}
		f.Rollout = n
	}
	if u, err := user.Current(); err == nil {
		f.UpdatedBy = u.Username
	}
	return a.Set(ctx, args[0], f)
}

func publish(ctx context.Context, a *flags.Admin, args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("publish FILE")
	}
	doc, err := os.ReadFile(args[0])
	if err != nil {
		return err
	}
	changed, err := a.Publish(ctx, doc)
	if err != nil {
		return err
	}
	if !changed {
		log.Println("flags already up to date")
	}
	return nil
}

func snapshot(ctx context.Context, a *flags.Admin, _ []string) error {
	key, err := a.Snapshot(ctx)
	if err != nil {
		return err
	}
	fmt.Println(key)
	return nil
}
