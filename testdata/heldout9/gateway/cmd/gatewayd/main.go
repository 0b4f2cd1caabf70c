// Command gatewayd is the API gateway control plane.
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

	"golang.org/x/sync/errgroup"

	"example.com/gateway/internal/apikeys"
	"example.com/gateway/internal/audit"
	"example.com/gateway/internal/bootstrap"
	"example.com/gateway/internal/cfkv"
	"example.com/gateway/internal/config"
	"example.com/gateway/internal/counters"
	"example.com/gateway/internal/httpapi"
	"example.com/gateway/internal/maintenance"
	"example.com/gateway/internal/ratelimit"
	"example.com/gateway/internal/rotation"
	"example.com/gateway/internal/routes"
	"example.com/gateway/internal/session"
	"example.com/gateway/internal/store"
	"example.com/gateway/internal/store/decorate"
	"example.com/gateway/internal/store/kvstore"
	"example.com/gateway/internal/tenants"
	"example.com/gateway/internal/usage"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	if err := run(log); err != nil && !errors.Is(err, context.Canceled) {
		log.Error("gatewayd", "err", err)
		os.Exit(1)
	}
}

func run(log *slog.Logger) error {
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	ns := cfkv.Namespace{Client: cfkv.Client(), AccountID: cfg.AccountID, ID: cfg.NamespaceID}
	if err := bootstrap.EnsureDefaults(ctx, ns, log); err != nil {
		return err
	}

	var kvs store.Store = kvstore.New(ns)
	metrics := &decorate.Counters{}
	kvs = decorate.Metrics{Store: kvs, C: metrics}
	kvs = decorate.Logging{Store: kvs, Log: log}
	cached := decorate.WithCache(kvs, 5*time.Second)

	db := openDatabase(cfg)
	keysSvc := apikeys.NewService(kvs, db, cfg)
	meter := apikeys.NewQuotaMeter(ns)
	policies := ratelimit.NewPublisher(kvs, cfg.PolicyTTL)
	tenantSvc := tenants.NewService(kvs)
	maint := maintenance.New(cached, ns)
	routePub := routes.NewPublisher(ns, kvs, db, log)
	sessions := session.NewManager(kvs, cfg.SessionIdle)
	trail := audit.New(kvs, cfg.AuditBuffer, log)
	ops := counters.New(kvs, "ops:")
	agg := usage.NewAggregator(kvs, cfg, log)
	job := rotation.New(ns, kvs, db, cfg.RotationGrace, rotation.WithCounter(ops.Add), rotation.WithLogger(log))

	table := httpapi.Handlers(httpapi.Deps{
		ClaimTenant:   tenantSvc.Claim,
		SetFlag:       maint.Set,
		AddRoute:      routePub.AddRoute,
		SetOverride:   policies.SetRouteOverride,
		Logout:        sessions.Logout,
		TenantIDs:     tenantSvc.IDs,
		Audit:         trail.Record,
		MintKey:       keysSvc.Mint,
		RevokeKey:     keysSvc.Revoke,
		Meter:         meter.Consume,
		Namespace:     ns,
		Log:           log,
		LogoutCookie:  "gw_console",
		ListPageLimit: 100,
	})
	limiter := ratelimit.NewLimiter(kvs, time.Minute, cfg.AdminRPM)
	handler := httpapi.Chain(httpapi.Mux(table),
		httpapi.RequestID,
		httpapi.AccessLog(log),
		limiter.Middleware,
		httpapi.LastSeen(kvs),
		sessions.Middleware,
	)
	srv := &http.Server{Addr: cfg.ListenAddr, Handler: handler, ReadHeaderTimeout: 10 * time.Second}

	hits := make(chan usage.Hit, 1024)
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return trail.Run(ctx) })
	g.Go(func() error { return agg.Run(ctx, hits) })
	g.Go(func() error { return consumeLogPush(ctx, hits) })
	g.Go(func() error { return daily(ctx, job.Run, log) })
	g.Go(func() error {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return srv.Shutdown(shut)
	})
	g.Go(func() error {
		if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	})
	return g.Wait()
}

// daily runs fn once a day.
func daily(ctx context.Context, fn func(context.Context) error, log *slog.Logger) error {
	t := time.NewTicker(24 * time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			if err := fn(ctx); err != nil {
				log.Error("daily job", "err", err)
			}
		}
	}
}
