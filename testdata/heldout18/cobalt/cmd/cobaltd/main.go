// Command cobaltd runs the cobalt device registry and telemetry API.
package main

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	cfv0 "github.com/cloudflare/cloudflare-go"

	"example.com/cobalt/internal/alerts"
	"example.com/cobalt/internal/apikeys"
	"example.com/cobalt/internal/config"
	"example.com/cobalt/internal/cron"
	"example.com/cobalt/internal/devices"
	"example.com/cobalt/internal/firmware"
	"example.com/cobalt/internal/fleet"
	"example.com/cobalt/internal/httpapi"
	"example.com/cobalt/internal/ledger"
	"example.com/cobalt/internal/legacy/archive"
	"example.com/cobalt/internal/legacy/policy"
	"example.com/cobalt/internal/logging"
	"example.com/cobalt/internal/metering"
	"example.com/cobalt/internal/pairing"
	"example.com/cobalt/internal/reqctx"
	"example.com/cobalt/internal/shadow"
	"example.com/cobalt/internal/storage"
	"example.com/cobalt/internal/storage/kvstore"
	_ "example.com/cobalt/internal/storage/memstore"
	"example.com/cobalt/internal/storage/storemw"
	"example.com/cobalt/internal/telemetry"
)

type logNotifier struct{ log *slog.Logger }

func (n logNotifier) Notify(ctx context.Context, channel string, a alerts.Alert) error {
	n.log.InfoContext(ctx, "alert", "channel", channel, "device", a.Device, "metric", a.Metric, "value", a.Value)
	return nil
}

func main() {
	path := flag.String("config", os.Getenv("COBALT_CONFIG"), "path to the JSON configuration")
	flag.Parse()
	cfg, err := config.Load(*path)
	if err != nil {
		slog.Error("configuration", "err", err)
		os.Exit(2)
	}
	log := logging.New(os.Stderr, cfg.LogLevel, cfg.LogJSON)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, log); err != nil {
		log.Error("exiting", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	sc := cfg.Storage
	raw, err := storage.Open(ctx, storage.DriverConfig{
		Driver: sc.Driver, APIToken: sc.APIToken, BaseURL: sc.BaseURL,
		AccountID: sc.Registry.AccountID, NamespaceID: sc.Registry.NamespaceID,
	})
	if err != nil {
		return err
	}
	tenantPrefix := func(ctx context.Context) string {
		t := reqctx.Tenant(ctx)
		if t == "" {
			t = cfg.Tenant
		}
		return "t:" + t + ":"
	}
	st := storemw.Chain(raw, storemw.Logging(log), storemw.Namespacing(tenantPrefix))
	global := storemw.Chain(raw, storemw.Logging(log))

	client := kvstore.NewClient(sc.APIToken, sc.BaseURL)
	bind := func(ns config.Namespace) kvstore.Binding {
		return kvstore.Binding{Client: client, AccountID: ns.AccountID, NamespaceID: ns.NamespaceID}
	}
	db := ledger.Open()

	alertSvc := alerts.NewService(st, db, logNotifier{log}, cfg.AlertCooldown, log)
	pipeline := telemetry.NewPipeline(st, bind(sc.Telemetry), metering.NewRecorder(st), alertSvc, cfg.Telemetry, log)
	fleetSvc := fleet.NewService(bind(sc.Registry), "t:"+cfg.Tenant+":", cfg.SummaryTTL, log)
	manifests := firmware.NewManifestCache(global, firmware.HTTPOrigin{Base: cfg.ManifestOrigin, Client: http.DefaultClient}, cfg.ManifestCacheTTL)

	v0, err := cfv0.NewWithAPIToken(sc.APIToken)
	if err != nil {
		return err
	}
	pol, err := policy.New(sc.APIToken, sc.Legacy.AccountID, sc.Legacy.NamespaceID)
	if err != nil {
		return err
	}
	arch := archive.New(v0, sc.Legacy.AccountID, sc.Legacy.NamespaceID, cfg.Telemetry.Retention(), log)

	jobs := cron.New(log)
	jobs.Handle("usage-rollup", time.Hour, func(ctx context.Context) error {
		return metering.Rollup(ctx, db, st, time.Now(), log)
	})
	jobs.Handle("purge-retired", 24*time.Hour, cron.PurgeRetired(st, 30*24*time.Hour, log))
	jobs.Handle("sweep-targets", time.Hour, cron.SweepStaleTargets(st, 14*24*time.Hour, 10))
	jobs.Handle("report-denylist", time.Hour, func(ctx context.Context) error {
		nets, err := pol.DeniedNetworks(ctx)
		log.InfoContext(ctx, "deny list", "networks", len(nets))
		return err
	})
	jobs.Handle("archive-export", 24*time.Hour, func(ctx context.Context) error {
		f, err := os.Create(filepath.Join(os.TempDir(), "cobalt-keys-"+time.Now().UTC().Format("20060102")+".jsonl"))
		if err != nil {
			return err
		}
		_, err = arch.ExportKeys(ctx, "t:", f)
		return errors.Join(err, f.Close())
	})
	jobs.Handle("warm-manifests", 0, func(ctx context.Context) error {
		channels := []string{"stable", "beta", "canary"}
		for _, ch := range channels {
			if _, err := manifests.Get(ctx, ch); err != nil && !errors.Is(err, firmware.ErrUnknownChannel) {
				return err
			}
		}
		return manifests.PublishIndex(ctx, channels)
	})

	api := httpapi.New(httpapi.Services{
		Devices:   devices.NewService(st, log),
		Shadows:   shadow.NewService(bind(sc.Shadows), map[string]map[string]any{"th-100": {"interval_s": 60}}, log),
		Pairing:   pairing.NewService(bind(sc.Pairing), st, cfg.Pairing, log),
		Keys:      apikeys.NewService(st, cfg.APIKeyMaxAge, log),
		Fleet:     fleetSvc,
		Telemetry: pipeline,
		Cron:      jobs,
		Tenant:    cfg.Tenant,
	}, log)

	pipeline.Start(ctx)
	go fleetSvc.Refresh(ctx, cfg.SummaryRefresh)
	go jobs.Run(ctx)

	srv := &http.Server{Addr: cfg.Listen, Handler: api, ReadHeaderTimeout: 5 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Info("listening", "addr", cfg.Listen, "drivers", storage.Drivers())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdown)
	pipeline.Stop()
	return err
}
