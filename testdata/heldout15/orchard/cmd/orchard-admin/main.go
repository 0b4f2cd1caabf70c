// Command orchard-admin runs maintenance tasks against the KV namespaces.
//
//	orchard-admin count|sample|export|purge <namespace-id> <prefix> [arg]
//	orchard-admin migrate <namespace-id> <from>=<to> ...
//	orchard-admin import-downloads <file.json>
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	cfv0 "github.com/cloudflare/cloudflare-go"

	"example.com/orchard/internal/admin"
	"example.com/orchard/internal/config"
	"example.com/orchard/internal/kvstore"
	"example.com/orchard/internal/kvstore/cfkv"
	"example.com/orchard/internal/legacy/downloads"
)

var errUsage = errors.New("usage: orchard-admin <command> [args]")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "orchard-admin:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return errUsage
	}
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	cf := cfkv.NewClient(cfg)
	cmd, rest := args[0], args[1:]
	if len(rest) >= 2 {
		store := cfkv.New(cf, cfg.AccountID, rest[0])
		m := admin.New(store, cf, cfg, rest[0])
		switch cmd {
		case "purge":
			return purge(ctx, m, store, rest[1])
		case "count":
			n, err := m.Count(ctx, rest[1])
			fmt.Println(n)
			return err
		case "sample":
			n, _ := strconv.Atoi(strings.Join(rest[2:], ""))
			names, err := m.Sample(ctx, rest[1], max(n, 20))
			fmt.Println(strings.Join(names, "\n"))
			return err
		case "export":
			page, err := m.Export(ctx, rest[1], strings.Join(rest[2:], ""))
			if err != nil {
				return err
			}
			return json.NewEncoder(os.Stdout).Encode(page)
		case "migrate":
			var rules []admin.Rule
			for _, a := range rest[1:] {
				from, to, ok := strings.Cut(a, "=")
				if !ok {
					return fmt.Errorf("bad rule %q", a)
				}
				rules = append(rules, admin.Rule{From: from, To: to})
			}
			st, err := m.Migrate(ctx, rules)
			fmt.Printf("moved %d, skipped %d\n", st.Moved, st.Skipped)
			return err
		}
	}
	if cmd == "import-downloads" && len(rest) == 1 {
		return importDownloads(ctx, cfg, rest[0])
	}
	return errUsage
}

// purge deletes every key under prefix.
func purge(ctx context.Context, m *admin.Maintainer, store kvstore.Store, prefix string) error {
	n := 0
	err := m.WalkAll(ctx, prefix, func(k kvstore.KeyInfo) error {
		n++
		return store.Delete(ctx, k.Name)
	})
	fmt.Printf("deleted %d keys\n", n)
	return err
}

// importDownloads loads a download log exported from the old portal.
func importDownloads(ctx context.Context, cfg *config.Config, path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var raw []struct {
		ID, Sheet, Buyer string
		At               int64
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	rows := make([]downloads.Row, 0, len(raw))
	for _, r := range raw {
		rows = append(rows, downloads.Row{ID: r.ID, Sheet: r.Sheet, Buyer: r.Buyer, At: time.Unix(r.At, 0)})
	}
	api, err := cfv0.NewWithAPIToken(cfg.APIToken)
	if err != nil {
		return err
	}
	c := downloads.New(api, cfg.AccountID, cfg.Namespaces.Legacy)
	if err := c.ImportLog(ctx, rows); err != nil {
		return err
	}
	return c.Audit(ctx, "orchard-admin", fmt.Sprintf("imported %d download rows", len(rows)))
}
