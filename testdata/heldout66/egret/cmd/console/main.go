// Command console serves the agents' web console.
package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/cloudflare/cloudflare-go"

	"github.com/egretdesk/egret/internal/console"
	"github.com/egretdesk/egret/internal/kvstore"
	"github.com/egretdesk/egret/internal/linking"
	"github.com/egretdesk/egret/internal/tickets"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	cf, err := cloudflare.NewWithAPIToken(os.Getenv("CF_API_TOKEN"))
	if err != nil {
		log.Error("cloudflare client", "err", err)
		os.Exit(1)
	}
	ns := kvstore.Open(cf, os.Getenv("CF_ACCOUNT_ID"), os.Getenv("DESK_KV_NAMESPACE"))
	app, srv := console.New(ns, tickets.NewService(ns, 0), linking.New(ns, os.Getenv("CONSOLE_URL")), log)
	srv.RegisterCards(app)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		_ = app.Shutdown()
	}()
	addr := os.Getenv("LISTEN")
	if addr == "" {
		addr = ":8080"
	}
	if err := app.Listen(addr); err != nil {
		log.Error("listen", "err", err)
		os.Exit(1)
	}
}
