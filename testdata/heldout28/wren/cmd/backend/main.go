// Command backend is the origin service: driver accounts, payments,
// operator dashboards, tariff publishing and background jobs.
package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/option"

	"example.com/wren/backend/accounts"
	"example.com/wren/backend/cfkv"
	"example.com/wren/backend/dashboard"
	"example.com/wren/backend/jobs"
	"example.com/wren/backend/kvrest"
	"example.com/wren/backend/payments"
	"example.com/wren/backend/ports"
	"example.com/wren/backend/tariffs"
	"example.com/wren/internal/lifetime"
)

type config struct {
	AccountID  string                       `json:"account_id"`
	Tenants    map[string]string            `json:"tenants"`
	DefaultNS  string                       `json:"default_namespace"`
	CardsNS    string                       `json:"cards_namespace"`
	TariffsNS  string                       `json:"tariffs_namespace"`
	Spaces     map[string]map[string]string `json:"spaces"`
	TariffTTL  lifetime.Seconds             `json:"tariff_ttl"`
	IdentityAt string                       `json:"identity_url"`
	Processor  string                       `json:"processor_url"`
	TimeZone   string                       `json:"time_zone"`
}

func loadConfig(path string) (config, error) {
	var c config
	b, err := os.ReadFile(path)
	if err != nil {
		return c, err
	}
	return c, json.Unmarshal(b, &c)
}

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	cfg, err := loadConfig(os.Getenv("WREN_CONFIG"))
	if err != nil {
		log.Error("config", "err", err)
		os.Exit(1)
	}
	loc, err := time.LoadLocation(cfg.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	token := os.Getenv("CLOUDFLARE_API_TOKEN")
	cf := cloudflare.NewClient(option.WithAPIToken(token), option.WithMaxRetries(3))
	hc := &http.Client{Timeout: 30 * time.Second}

	store := cfkv.New(cf.KV.Namespaces, cfg.AccountID, cfkv.WithNamespaces(cfg.Tenants), cfkv.WithFallback(cfg.DefaultNS))
	rest := kvrest.New(hc, token, cfg.AccountID, func() string { return os.Getenv("WREN_ENV") }, cfg.Spaces)
	ident := &identity{base: cfg.IdentityAt, http: hc}

	acct := accounts.New(accounts.Config{
		CodeTTL:        30, // EXPECT kvttl
		MaxAttempts:    5,
		LockoutMinutes: 15,
	}, store, ident, ident,
		accounts.NewCardRegistry(cf.KV.Namespaces.Values, cfg.AccountID, cfg.CardsNS))
	pay := payments.New(store, cf.KV.Namespaces.Values, cfg.AccountID, cfg.DefaultNS, &processor{base: cfg.Processor, http: hc})
	dash := dashboard.New(store, store, cf.KV.Namespaces, cfg.AccountID, log)
	pub := tariffs.NewPublisher(rest, cf.KV.Namespaces.Values, cfg.AccountID, cfg.TariffsNS, cfg.TariffTTL.Duration(), log)
	runner := jobs.New(store, rest, log, loc)

	mux := http.NewServeMux()
	dash.Routes(mux)
	api := &api{accounts: acct, payments: pay, publisher: pub}
	api.routes(mux)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go every(ctx, 5*time.Minute, func(ctx context.Context) error { return dash.Flush(ctx) }, log)
	go every(ctx, time.Hour, func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ports.WithTenant(ctx, ""), 2*time.Minute)
		defer cancel()
		n, err := runner.PurgeReleasedHolds(ctx)
		log.Info("purged holds", "count", n)
		return err
	}, log)

	srv := &http.Server{Addr: ":8080", Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		log.Error("serve", "err", err)
	}
}

// every runs fn every d until ctx ends.
func every(ctx context.Context, d time.Duration, fn func(context.Context) error, log *slog.Logger) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := fn(ctx); err != nil {
				log.Warn("background job failed", "err", err)
			}
		}
	}
}
