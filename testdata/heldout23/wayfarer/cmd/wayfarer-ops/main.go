// Command wayfarer-ops is the operations tool: one-off admin commands and
// the `serve` daemon.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"example.com/wayfarer/internal/config"
	"example.com/wayfarer/internal/ops/admin"
	"example.com/wayfarer/internal/ops/cfkv"
	"example.com/wayfarer/internal/ops/daemon"
	"example.com/wayfarer/internal/ops/restkv"
	"example.com/wayfarer/internal/writebehind"
)

const usage = `usage: wayfarer-ops serve | issue-key | revoke-key | set-webhook | notify-partners | import-fares |
  seed-charter | backfill-summaries | export-keys | sample | export-values | count | sync-config [args]`

func main() {
	if len(os.Args) < 2 {
		log.Fatal(usage)
	}
	cfg, err := config.LoadOps(os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	api, err := cloudflare.NewWithAPIToken(cfg.APIToken, cloudflare.BaseURL(cfg.APIBase), cloudflare.UserAgent("wayfarer-ops/1"))
	if err != nil {
		log.Fatal(err)
	}
	mainStore := cfkv.New(api, cfg.AccountID, cfg.NamespaceID)
	sessions := cfkv.New(api, cfg.AccountID, cfg.SessionNamespaceID)
	rest := restkv.New(cfg.APIBase, cfg.AccountID, cfg.NamespaceID, cfg.APIToken, restkv.Timeout(time.Minute))
	console := admin.New(mainStore, sessions, rest, cfg.Retention())

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1], os.Args[2:], cfg, mainStore, console); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, cmd string, args []string, cfg config.Ops, store *cfkv.Store, console *admin.Admin) error {
	arg := func(i int) string {
		if i >= len(args) {
			log.Fatalf("%s: missing argument %d", cmd, i+1)
		}
		return args[i]
	}
	switch cmd {
	case "serve":
		return serve(ctx, cfg, store, console)
	case "issue-key":
		secret, err := console.IssueKey(ctx, arg(0), arg(1), strings.Split(arg(2), ","))
		fmt.Println(secret)
		return err
	case "revoke-key":
		return console.RevokeKey(ctx, arg(0))
	case "set-webhook":
		return console.SetWebhook(ctx, arg(0), arg(1))
	case "notify-partners":
		return console.NotifyPartners(ctx, &http.Client{Timeout: 10 * time.Second}, arg(0), os.Stdout)
	case "import-fares":
		var fares []admin.PublishedFare
		raw, err := os.ReadFile(arg(0))
		if err == nil {
			err = json.Unmarshal(raw, &fares)
		}
		if err != nil {
			return err
		}
		return console.ImportFares(ctx, fares)
	case "seed-charter":
		first, err := time.Parse(time.DateOnly, arg(1))
		if err != nil {
			return err
		}
		return console.SeedCharterSeats(ctx, arg(0), first)
	case "backfill-summaries":
		fs := flag.NewFlagSet(cmd, flag.ExitOnError)
		cursor := fs.String("cursor", "", "resume from this cursor")
		pages := fs.Int("pages", 50, "pages of 100 trips to process")
		_ = fs.Parse(args)
		next, err := console.BackfillSummaries(ctx, *cursor, *pages)
		if next != "" {
			fmt.Println("resume with -cursor", next)
		}
		return err
	case "export-keys":
		return console.ExportKeys(ctx, arg(0), os.Stdout)
	case "sample":
		return console.SampleKeys(ctx, arg(0), os.Stdout)
	case "export-values":
		return console.ExportValues(ctx, arg(0), 10, os.Stdout)
	case "count":
		n, complete, err := console.CountKeys(ctx, arg(0))
		fmt.Printf("%d keys (complete=%t)\n", n, complete)
		return err
	case "sync-config":
		return console.SyncConfig(ctx, arg(0))
	}
	return fmt.Errorf("unknown command %q\n%s", cmd, usage)
}

func serve(ctx context.Context, cfg config.Ops, store *cfkv.Store, console *admin.Admin) error {
	logger := log.New(os.Stderr, "ops ", log.LstdFlags)
	buf := writebehind.New(store,
		writebehind.Every(cfg.FlushEvery()),
		writebehind.OnError(func(key string, err error) { logger.Printf("write %s: %v", key, err) }))
	d := daemon.New(store, buf, cfg.FlushEvery(), logger)

	mux := http.NewServeMux()
	console.Routes(mux)
	d.Routes(mux)
	srv := &http.Server{Addr: cfg.ListenAddr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Shutdown(context.WithoutCancel(ctx))
	}()
	go d.Run(ctx)
	if err := srv.ListenAndServe(); err != http.ErrServerClosed {
		return err
	}
	return nil
}
