// Command fleetd is the fleet management backend.
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

	"example.com/fleet/internal/alerts"
	"example.com/fleet/internal/cfkvutil"
	"example.com/fleet/internal/config"
	"example.com/fleet/internal/devices"
	"example.com/fleet/internal/httpapi"
	"example.com/fleet/internal/jobs"
	"example.com/fleet/internal/kvstore/cfkv"
	"example.com/fleet/internal/kvstore/instrument"
	"example.com/fleet/internal/opsession"
	"example.com/fleet/internal/rollout"
	"example.com/fleet/internal/shadow"
	"example.com/fleet/internal/telemetry"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	if err := run(log); err != nil {
		log.Error("fleetd exited", "err", err)
		os.Exit(1)
	}
}

func run(log *slog.Logger) error {
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	if cfg.AccountID == "" || cfg.NamespaceID == "" {
		return errors.New("CF_ACCOUNT_ID and FLEET_KV_NAMESPACE are required")
	}

	base := cfkv.New(cfg.APIToken, cfg.AccountID, cfg.NamespaceID)
	metered := instrument.NewMetered(base, instrument.LogRecorder{Log: log, Slow: 250 * time.Millisecond})
	store := instrument.NewLocalCache(metered, 2*time.Second)
	direct := cfkvutil.Target{Client: base.Client(), AccountID: cfg.AccountID, NamespaceID: cfg.NamespaceID}

	wh := newWarehouse(os.Getenv("FLEET_WAREHOUSE_URL"))
	registry := devices.NewRegistry(store, devices.Direct(direct), cfg, log)
	shadows := shadow.NewService(store, direct, cfg.ShadowCacheTTL)
	sessions := opsession.NewManager(store, cfg.SessionTTL, log)
	rollups := telemetry.NewRollups(store, wh.summary)
	engine := alerts.NewEngine(store, wh, logNotifier{log}, cfg.ListPageSize, cfg.MaxListPages, log)
	rollouts := rollout.NewService(store, direct, mqttPusher{}, cfg.Workers, log)

	events := make(chan telemetry.Event, 1024)
	pipeline := telemetry.NewPipeline(rollups, store, events, log)
	sched := jobs.NewScheduler(store, wh, wh, engine.Evaluate, log)

	handler := httpapi.New(httpapi.Deps{
		Save:     metered.Put,
		Load:     store.Get,
		Devices:  store,
		Registry: registry,
		Shadows:  shadows,
		Sessions: sessions,
		Rollups:  rollups,
		Alerts:   engine,
		Rollouts: rollouts,
		Events:   events,
		PageSize: cfg.ListPageSize,
		Log:      log,
	})
	srv := &http.Server{Addr: cfg.ListenAddr, Handler: handler, ReadHeaderTimeout: 5 * time.Second}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return pipeline.Run(gctx) })
	g.Go(func() error { sched.Run(gctx); return nil })
	g.Go(func() error {
		if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	})
	g.Go(func() error {
		<-gctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return srv.Shutdown(shutdownCtx)
	})
	return g.Wait()
}
