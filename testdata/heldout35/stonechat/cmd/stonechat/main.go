// Command stonechat runs the invoicing portal, payment webhooks and export
// API of the Stonechat billing service.
package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"
	cf2 "github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/option"

	"stonechat/internal/config"
	"stonechat/internal/events"
	"stonechat/internal/exports"
	"stonechat/internal/ids"
	"stonechat/internal/kvstore"
	"stonechat/internal/payments"
	"stonechat/internal/portal"
	"stonechat/internal/ratelimit"
)

type noDirectory struct{}

func (noDirectory) Authenticate(context.Context, string, string) (ids.CustomerID, error) {
	return "", errors.New("directory not configured")
}
func (noDirectory) Profile(_ context.Context, c ids.CustomerID) (portal.Profile, error) {
	return portal.Profile{Customer: c}, nil
}
func (noDirectory) CustomerByEmail(context.Context, string) (ids.CustomerID, error) {
	return "", errors.New("directory not configured")
}

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	cfg := config.Load()

	api, err := cloudflare.NewWithAPIToken(cfg.APIToken)
	if err != nil {
		log.Error("cloudflare client", "err", err)
		os.Exit(1)
	}
	cf := cf2.NewClient(option.WithAPIToken(cfg.APIToken))

	sessions := kvstore.New(api, cfg.AccountID, cfg.PortalNS)
	billing := kvstore.New(api, cfg.AccountID, cfg.BillingNS)
	files := kvstore.New(api, cfg.AccountID, cfg.ExportsNS)

	bus := events.NewBus(log)
	mux := http.NewServeMux()

	portal.NewServer(cfg, sessions, billing, bus, noDirectory{}, log).Routes(mux)
	payments.NewService(cfg, billing, bus, log).Routes(mux)
	exp := exports.New(cfg, billing, files, cf, log)
	exp.Routes(mux)

	limiter := ratelimit.New(billing, cfg.RateLimit, cfg.RateWindow)
	mux.HandleFunc("GET /v1/ping", limiter.Guard(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	hits := &exports.Hits{}
	go exp.RunSweeper(ctx, hits)

	srv := &http.Server{Addr: cfg.Listen, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	log.Info("listening", "addr", cfg.Listen)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("serve", "err", err)
		os.Exit(1)
	}
}
