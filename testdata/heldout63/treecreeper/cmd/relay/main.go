// Command relay projects Postgres changes to KV: the outbox relay, the
// NOTIFY listener, and the once-a-minute dunning and rate jobs.
package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ledgerline/treecreeper/internal/dunning"
	"github.com/ledgerline/treecreeper/internal/fxrates"
	"github.com/ledgerline/treecreeper/internal/kvedge"
	"github.com/ledgerline/treecreeper/internal/outbox"
)

type treasury struct{}

func (treasury) Fetch(ctx context.Context, base, quote string) (fxrates.Rate, error) {
	now := time.Now().UTC()
	return fxrates.Rate{Base: base, Quote: quote, Mid: 1, FixedAt: now, NextFix: now.Truncate(time.Hour).Add(time.Hour)}, nil
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		slog.Error("db", "err", err)
		os.Exit(1)
	}
	defer pool.Close()
	ns := kvedge.Open(os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID"), os.Getenv("CF_KV_EDGE_NAMESPACE"))

	relay := &outbox.Relay{Pool: pool, NS: ns, Batch: 200}
	go func() { _ = relay.Run(ctx) }()
	listener := &outbox.Listener{Pool: pool, NS: ns}
	go func() {
		if err := listener.Listen(ctx); err != nil && ctx.Err() == nil {
			slog.Error("listen", "err", err)
			stop()
		}
	}()

	proj := &dunning.Projector{NS: ns, Pool: pool}
	fx := &fxrates.Cache{NS: ns, Provider: treasury{}}
	tenants := strings.Split(os.Getenv("RELAY_TENANTS"), ",")
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			if err := proj.Tick(ctx); err != nil {
				slog.Error("dunning tick", "err", err)
			}
			if err := fx.Warm(ctx, [][2]string{{"USD", "EUR"}, {"USD", "GBP"}, {"EUR", "GBP"}}); err != nil {
				slog.Error("fx warm", "err", err)
			}
			if err := relay.RelayPortalSnapshots(ctx); err != nil {
				slog.Error("snapshots", "err", err)
			}
			if now.Minute() == 0 {
				if err := outbox.PublishPlanLimits(ctx, pool, ns, tenants); err != nil {
					slog.Error("plan limits", "err", err)
				}
				for _, t := range tenants {
					if err := outbox.RollupUsage(ctx, pool, ns, t); err != nil {
						slog.Error("usage rollup", "tenant", t, "err", err)
					}
					if err := proj.Reconcile(ctx, t); err != nil {
						slog.Error("reconcile", "tenant", t, "err", err)
					}
				}
			}
		}
	}
}
