// Command beacond serves beacon's device, receipt and console APIs and runs
// the campaign scheduler and background jobs.
package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"example.com/beacon/internal/config"
	"example.com/beacon/internal/consts"
	"example.com/beacon/internal/httpapi"
	"example.com/beacon/internal/kvstore"
	"example.com/beacon/internal/legacy/lkv"
	"example.com/beacon/internal/legacy/tenantsync"
	"example.com/beacon/internal/providers"
	"example.com/beacon/internal/push"
	"example.com/beacon/internal/session"
	"example.com/beacon/internal/tenant"
)

func main() {
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stderr, nil)))
	if err := run(); err != nil {
		slog.Error("beacond exited", "err", err)
		os.Exit(1)
	}
}

func run() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	cfg, err := config.Load()
	if err == nil {
		err = cfg.Validate()
	}
	if err != nil {
		return err
	}
	reg, err := providers.ProvideRegistry(cfg)
	if err != nil {
		return err
	}
	cp := &controlPlane{
		base:  os.Getenv("BEACON_CONTROLPLANE_URL"),
		token: os.Getenv("BEACON_CONTROLPLANE_TOKEN"),
		http:  &http.Client{Timeout: 10 * time.Second},
	}

	devices, limiter := providers.ProvideDevices(reg)
	sessions, resets := providers.ProvideSessions(reg, cp)
	tops := providers.ProvideTopics(reg)
	camps := providers.ProvideCampaigns(reg)
	rec, adm := providers.ProvideReceipts(reg)
	tenantStore := providers.Store(reg, providers.KVTenants)
	sessStore := providers.Store(reg, providers.KVSessions)
	totals := &push.Totals{Store: tenantStore}
	dispatcher := providers.ProvideDispatcher(reg, devices, tops, providers.ProvideQuota(reg), adm, totals)
	sched := providers.ProvideScheduler(reg, camps, dispatcher, cp.TenantIDs)

	srv := &http.Server{Addr: cfg.HTTP.Addr, ReadHeaderTimeout: 10 * time.Second, Handler: httpapi.NewMux(httpapi.Deps{
		Devices: devices, Limiter: limiter, Sessions: sessions, Resets: resets,
		Auth:      &session.Authenticator{Store: sessStore, Sessions: sessions, Users: cp, Mail: cp, MaxAttempts: 5},
		Refresher: session.NewRefresher(sessStore, cfg.Storage.Sessions.RefreshTTL, sessions, cp),
		Campaigns: camps, Receipts: rec, Topics: tops, Stats: tenantStore,
		Tenants: &tenant.Cache{Store: tenantStore, TTL: cfg.Storage.Tenants.CacheTTL, OnMiss: cp.Settings},
		Secrets: webhookSecrets(os.Getenv("BEACON_WEBHOOK_SECRETS")),
	})}

	var wg sync.WaitGroup
	background := func(name string, period time.Duration, fn func(context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTicker(period)
			defer t.Stop()
			for {
				if err := fn(ctx); err != nil {
					slog.Error("background job", "job", name, "err", err)
				}
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
			}
		}()
	}
	if cfg.Scheduler.Enabled {
		go func() { _ = sched.Run(ctx) }()
	}
	background("instance", consts.InstanceEvery, instanceReporter(tenantStore, cfg.Scheduler.Owner))
	background("drafts", time.Hour, func(ctx context.Context) error {
		ids, err := cp.TenantIDs(ctx)
		for _, id := range ids {
			if _, err := camps.ExpireDrafts(ctx, id, time.Now().Add(-30*24*time.Hour)); err != nil {
				return err
			}
		}
		return err
	})
	if cfg.Legacy.APIToken != "" {
		conn, err := lkv.Dial(cfg.Legacy.APIToken, cfg.Cloudflare.AccountID, cfg.Legacy.NamespaceID)
		if err != nil {
			return err
		}
		job := &tenantsync.Job{Conn: conn, Source: cp, Now: time.Now, LastRun: time.Now().Add(-time.Hour)}
		background("tenantsync", 10*time.Minute, job.Run)
	}

	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.HTTP.ShutdownTimeout)
		defer cancel()
		_ = srv.Shutdown(shutdown)
		if err := totals.Flush(shutdown); err != nil {
			slog.Warn("flush totals", "err", err)
		}
	}()
	slog.Info("listening", "addr", cfg.HTTP.Addr)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	wg.Wait()
	return nil
}

// instanceReporter publishes this instance's start time and last sign of
// life for the ops dashboard.
func instanceReporter(store kvstore.Writer, owner string) func(context.Context) error {
	started := time.Now().UTC().Format(time.RFC3339)
	key := consts.PrefixInstance.Key(owner)
	return func(ctx context.Context) error {
		body := []byte(`{"started":"` + started + `","seen":"` + time.Now().UTC().Format(time.RFC3339) + `"}`)
		return store.Put(ctx, key, body, kvstore.PutOptions{TTL: consts.InstanceTTL})
	}
}

// webhookSecrets parses "apns=...,fcm=...".
func webhookSecrets(spec string) map[string][]byte {
	out := map[string][]byte{}
	for _, kv := range strings.Split(spec, ",") {
		if name, secret, ok := strings.Cut(strings.TrimSpace(kv), "="); ok && name != "" && secret != "" {
			out[name] = []byte(secret)
		}
	}
	return out
}
