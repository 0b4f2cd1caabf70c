// Command estuary-admin runs maintenance against estuary's KV namespaces.
//
//	estuary-admin count   <namespace> <prefix>
//	estuary-admin export  <namespace> <prefix>      (key names to stdout)
//	estuary-admin sample  <namespace> <prefix>
//	estuary-admin get     <namespace> <key>
//	estuary-admin migrate <namespace> <from-prefix> <to-prefix>
//	estuary-admin probe   <namespace>
//	estuary-admin rebuild <account>...
//	estuary-admin import-audit <export.json>
//	estuary-admin purge-cache <prefix>
//
// <namespace> is a namespace ID, or "events" for the configured events
// namespace.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"

	cfv2 "github.com/cloudflare/cloudflare-go/v2"
	optv2 "github.com/cloudflare/cloudflare-go/v2/option"
	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/option"

	"example.com/estuary/internal/cache"
	"example.com/estuary/internal/config"
	"example.com/estuary/internal/ids"
	"example.com/estuary/internal/kvstore/cfkv"
	"example.com/estuary/internal/legacy/audit"
	"example.com/estuary/internal/maint"
	"example.com/estuary/internal/projection"
)

var errUsage = errors.New("usage: estuary-admin <command> [args] (see package doc)")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "estuary-admin:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	arity := map[string]int{"count": 2, "export": 2, "sample": 2, "get": 2, "migrate": 3, "probe": 1, "rebuild": 1, "import-audit": 1, "purge-cache": 1}
	if len(args) == 0 || len(args)-1 < arity[args[0]] {
		return errUsage
	}
	cfg, err := config.Load(os.Getenv("ESTUARY_CONFIG"))
	if err != nil {
		return err
	}
	cf := cloudflare.NewClient(option.WithAPIToken(cfg.Cloudflare.APIToken))
	tool := maint.New(cf, cfg.Cloudflare.AccountID, cfg.Maint.PageBudget, cfg.Maint.PageSize)
	cmd, a := args[0], args[1:]
	if len(a) > 0 && a[0] == "events" {
		a[0] = cfg.Cloudflare.Namespaces.Events
	}

	switch cmd {
	case "count":
		n, err := tool.Count(ctx, a[0], a[1])
		if errors.Is(err, maint.ErrBudget) {
			fmt.Printf("at least %d (page budget reached)\n", n)
			return nil
		}
		fmt.Println(n)
		return err
	case "export":
		n, err := tool.Export(ctx, a[0], a[1], os.Stdout)
		fmt.Fprintf(os.Stderr, "%d keys\n", n)
		return err
	case "sample":
		names, err := tool.Sample(ctx, a[0], a[1])
		for _, n := range names {
			fmt.Println(n)
		}
		return err
	case "get":
		b, err := tool.Get(ctx, a[0], a[1])
		if err == nil {
			_, err = os.Stdout.Write(b)
		}
		return err
	case "migrate":
		n, err := tool.Migrate(ctx, a[0], a[1], a[2])
		fmt.Fprintf(os.Stderr, "moved %d keys\n", n)
		return err
	case "probe":
		return tool.Probe(ctx, a[0])
	case "rebuild":
		events := cfkv.New(cf, cfg.Cloudflare.AccountID, cfg.Cloudflare.Namespaces.Events)
		p := projection.New(events, events)
		for _, acct := range a {
			t, err := p.Rebuild(ctx, ids.AccountID(acct))
			if err != nil {
				return fmt.Errorf("rebuild %s: %w", acct, err)
			}
			fmt.Printf("%s: %d orders, %d paid, %d cancelled\n", acct, t.Orders, t.Paid, t.Cancelled)
		}
		return nil
	case "purge-cache":
		c := cache.New(cfkv.New(cf, cfg.Cloudflare.AccountID, cfg.Cloudflare.Namespaces.Cache), 0, cfg.Cache.RemoteTTL.Std(), 0)
		n, err := c.Purge(ctx, a[0])
		fmt.Fprintf(os.Stderr, "purged %d keys\n", n)
		return err
	case "import-audit":
		b, err := os.ReadFile(a[0])
		if err != nil {
			return err
		}
		var entries []audit.Entry
		if err := json.Unmarshal(b, &entries); err != nil {
			return err
		}
		legacy := cfv2.NewClient(optv2.WithAPIToken(cfg.Legacy.APIToken))
		n, err := audit.New(legacy, cfg.Legacy.AccountID, cfg.Legacy.NamespaceID, cfg.Legacy.Retention.Std()).Import(ctx, entries)
		fmt.Fprintf(os.Stderr, "imported %d account-days\n", n)
		return err
	}
	return errUsage
}
