// Command pylon is the sample-tracking and courier backend.
package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/option"

	"example.com/pylon/internal/barcode"
	"example.com/pylon/internal/courier"
	"example.com/pylon/internal/custody"
	"example.com/pylon/internal/fp"
	"example.com/pylon/internal/httpapi"
	"example.com/pylon/internal/notify"
	"example.com/pylon/internal/outbox"
	"example.com/pylon/internal/partner"
	"example.com/pylon/internal/portal"
	"example.com/pylon/internal/retention"
	"example.com/pylon/internal/storage"
	"example.com/pylon/internal/storage/cfkv"
	"example.com/pylon/internal/storage/memstore"
	"example.com/pylon/internal/telemetry"
)

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	account, nsCore, nsSess := os.Getenv("CF_ACCOUNT_ID"), os.Getenv("KV_CORE"), os.Getenv("KV_SESSIONS")
	client := cloudflare.NewClient(option.WithAPIToken(os.Getenv("CF_API_TOKEN")))
	var core, sessions storage.Store
	if account == "" {
		log.Warn("no Cloudflare account configured, using in-memory storage")
		core, sessions = memstore.New(), memstore.New()
	} else {
		core = cfkv.New(client, account, nsCore, cfkv.WithLogger(log))
		sessions = cfkv.New(client, account, nsSess, cfkv.WithLogger(log))
	}
	idle := fp.Must(time.ParseDuration(env("SESSION_IDLE", "30m")))
	keep := fp.Must(time.ParseDuration(env("RETENTION", "87600h")))

	ob := outbox.New(core)
	alarms := make(chan telemetry.Alarm, 64)
	deps := httpapi.Deps{
		Tracker:  custody.NewTracker(core, custody.NewLog(core), ob),
		Barcodes: barcode.NewRegistry(core, lims.tube),
		Monitor:  telemetry.New(core, alarms, telemetry.WithInterval(time.Minute)),
		Couriers: courier.NewService(client, account, nsCore, core, planner.route),
		Sessions: portal.NewSessions(sessions, idle),
		Verifier: portal.NewVerifier(client, account, nsSess, sessions, mailer{log}, env("PORTAL_URL", "https://portal.example.com")),
		Keys:     partner.NewKeys(core),
		Quota:    partner.NewQuota(core, contracts.plan),
		Log:      log,
	}
	relay := notify.NewRelay("result-ready", core, mailer{log}, notify.RenderResultReady(env("PORTAL_URL", "")), notify.WithWorkers(8))
	sweeper := retention.New(client, account, nsCore, core, keep)

	go runEvery(ctx, log, "relay", 30*time.Second, func(ctx context.Context) error {
		_, err := relay.DrainOnce(ctx)
		return err
	})
	go runEvery(ctx, log, "retention", 24*time.Hour, func(ctx context.Context) error {
		return sweeper.SweepLabels(ctx, time.Now().Add(time.Hour))
	})
	go func() {
		for a := range alarms {
			log.Error("freezer excursion", "freezer", a.FreezerID, "temp", a.Reading.TempC, "limit", a.Limit)
		}
	}()

	srv := &http.Server{Addr: env("ADDR", ":8080"), Handler: httpapi.Handler(deps), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("server stopped", "err", err)
		os.Exit(1)
	}
}

// runEvery runs job once per period until ctx ends.
func runEvery(ctx context.Context, log *slog.Logger, name string, period time.Duration, job func(context.Context) error) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(period):
		}
		if err := job(ctx); err != nil {
			log.Warn("job failed", "job", name, "err", err)
		}
	}
}
