// Command orchardd serves the Orchard marketplace API and runs its
// background jobs.
package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	cfv0 "github.com/cloudflare/cloudflare-go"

	"example.com/orchard/internal/auth"
	"example.com/orchard/internal/billing"
	"example.com/orchard/internal/catalog"
	"example.com/orchard/internal/config"
	"example.com/orchard/internal/cron"
	"example.com/orchard/internal/growers"
	"example.com/orchard/internal/httpapi"
	"example.com/orchard/internal/kvstore/cfkv"
	"example.com/orchard/internal/legacy/pricefeed"
	"example.com/orchard/internal/orders"
	"example.com/orchard/internal/outbox"
	"example.com/orchard/internal/ratelimit"
	"example.com/orchard/internal/session"
	"example.com/orchard/internal/stats"
)

func main() {
	if err := run(); err != nil {
		slog.Error("orchardd", "err", err)
		os.Exit(1)
	}
}

func run() error {
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	cf := cfkv.NewClient(cfg)
	ns := cfg.Namespaces
	catalogKV := cfkv.New(cf, cfg.AccountID, ns.Catalog)
	ordersKV := cfkv.New(cf, cfg.AccountID, ns.Orders)
	statsKV := cfkv.New(cf, cfg.AccountID, ns.Stats)
	opsKV := cfkv.New(cf, cfg.AccountID, ns.Ops)
	legacy, err := cfv0.NewWithAPIToken(cfg.APIToken)
	if err != nil {
		return err
	}

	db := newOrigin(os.Getenv("ORCHARD_ORIGIN"))
	cat := catalog.NewService(catalogKV, db, cfg.Catalog)
	board := stats.NewBoard(statsKV)
	api := httpapi.New(httpapi.Deps{
		Catalog:   cat,
		Orders:    orders.NewService(ordersKV, outbox.New(ordersKV, cfg.Outbox), cfg.Keys),
		Sessions:  session.NewManager(cfkv.New(cf, cfg.AccountID, ns.Sessions), cfg.Keys, cfg.Session),
		Auth:      auth.New(cf, cfg.AccountID, ns.Sessions),
		Limiter:   ratelimit.New(opsKV, cfg.Keys, cfg.RateLimit),
		Views:     stats.NewViews(statsKV, cfg.Keys, 8),
		Board:     board,
		Growers:   growers.NewDirectory(catalogKV, cfg.Keys),
		Billing:   billing.New(cf, cfg.AccountID, ns.Ops, opsKV, cfg),
		Passwords: db,
		Ops:       opsKV,
	})

	relay := outbox.NewRelay(ordersKV, db, cfg.Outbox)
	prices := pricefeed.New(legacy, cfg)
	sched := cron.NewScheduler(cron.NewLeases(opsKV))
	sched.Register(cron.Job{
		Name:     "outbox-drain",
		Every:    15 * time.Second,
		LeaseFor: 45 * time.Second, // EXPECT kvttl
		Run: func(ctx context.Context) error {
			_, err := relay.Drain(ctx)
			return err
		},
	})
	sched.Register(cron.Job{Name: "featured", Every: 5 * time.Minute, Run: func(ctx context.Context) error {
		_, err := cat.PublishFeatured(ctx)
		return err
	}})
	sched.Register(cron.Job{Name: "leaderboard", Every: time.Hour, LeaseFor: 10 * time.Minute, Run: func(ctx context.Context) error {
		_, err := board.RebuildWeekly(ctx, 20)
		return err
	}})
	sched.Register(cron.Job{Name: "grower-count", Every: 30 * time.Minute, Run: func(ctx context.Context) error {
		return stats.PublishGrowerCount(ctx, statsKV, db)
	}})
	sched.Register(cron.Job{Name: "price-prune", Every: 24 * time.Hour, LeaseFor: time.Hour, Run: func(ctx context.Context) error {
		keep := map[string]bool{}
		skus, errc := cat.SKUs(ctx)
		for sku := range skus {
			keep[strings.TrimPrefix(sku, "product/")] = true
		}
		if err := <-errc; err != nil {
			return err
		}
		_, err := prices.Prune(ctx, keep)
		return err
	}})
	jobs := sched.Start(ctx)

	srv := &http.Server{Addr: cfg.Listen, Handler: api, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	slog.Info("listening", "addr", cfg.Listen)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	jobs.Wait()
	return nil
}
