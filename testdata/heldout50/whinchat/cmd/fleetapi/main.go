// Command fleetapi serves the device and operator APIs of the fleet backend.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/whinchat/fleet/internal/api"
	"github.com/whinchat/fleet/internal/config"
	"github.com/whinchat/fleet/internal/devices"
	"github.com/whinchat/fleet/internal/fleet"
	"github.com/whinchat/fleet/internal/kvstore"
	"github.com/whinchat/fleet/internal/lease"
	"github.com/whinchat/fleet/internal/operators"
	"github.com/whinchat/fleet/internal/rollout"
	"github.com/whinchat/fleet/internal/telemetry"
)

func main() {
	if err := run(); err != nil {
		slog.Error("fleetapi stopped", "err", err)
		os.Exit(1)
	}
}

func run() error {
	st, err := config.Load()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	root := kvstore.Open(st.APIToken, st.AccountID, st.Namespace)
	ingest := telemetry.NewIngest(root, st)
	dir := fleet.NewDirectory(root, st)
	host, _ := os.Hostname()
	leases := lease.NewManager(root, fmt.Sprintf("%s/%d", host, os.Getpid()))
	pub := &rollout.Publisher{}
	pub.Subscribe(rollout.NewDispatcher(root), rollout.NewAuditTrail(root), rollout.NewVersionStats(root), rollout.NewLiveFeed(root))

	srv := &api.Server{
		Settings:  st,
		Root:      root,
		Configs:   devices.NewConfigs(root, st),
		Pairing:   devices.NewPairing(root),
		Tokens:    devices.NewTokens(root),
		Ingest:    ingest,
		Summary:   telemetry.NewSummaryCache(ingest, root, st),
		Directory: dir,
		Sessions:  operators.NewSessions(root, st),
		Rollouts:  rollout.NewRollouts(root, pub, leases),
		Events:    pub,
	}

	go every(ctx, st.FlushInterval, ingest.Hits.Flush)
	go every(ctx, time.Hour, func(ctx context.Context) error { return snapshotAll(ctx, root, leases, dir) })

	hs := &http.Server{Addr: st.ListenAddr, Handler: srv.Routes(), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		hs.Shutdown(shutdown)
	}()
	slog.Info("fleetapi listening", "addr", st.ListenAddr)
	if err := hs.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// every runs fn once per interval until ctx ends.
func every(ctx context.Context, interval time.Duration, fn func(context.Context) error) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := fn(ctx); err != nil {
				slog.Warn("background job failed", "err", err)
			}
		}
	}
}

// snapshotAll refreshes every tenant's directory snapshot on one replica.
func snapshotAll(ctx context.Context, root kvstore.Space, leases *lease.Manager, dir *fleet.Directory) error {
	release, err := leases.Acquire(ctx, "snapshot", 30*time.Second) // EXPECT kvttl
	if errors.Is(err, lease.ErrHeld) {
		return nil
	}
	if err != nil {
		return err
	}
	defer release()

	raw, err := root.Scope("billing").Get(ctx, "tenants")
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	var tenants []string
	if err := json.Unmarshal(raw, &tenants); err != nil {
		return err
	}
	id := time.Now().UTC().Format("20060102T15")
	for _, tenant := range tenants {
		if _, err := dir.Snapshot(ctx, tenant, id); err != nil {
			slog.Warn("snapshot failed", "tenant", tenant, "err", err)
		}
	}
	return nil
}
