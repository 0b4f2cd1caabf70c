// Command fleetd is the fleet backend daemon: device API, heartbeat
// processing, telemetry ingestion checkpoints, config pushes and the nightly
// reconciliation job.
package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/option"
	"golang.org/x/sync/errgroup"

	"example.com/fleet/internal/configpush"
	"example.com/fleet/internal/enroll"
	"example.com/fleet/internal/heartbeat"
	"example.com/fleet/internal/httpapi"
	"example.com/fleet/internal/quota"
	"example.com/fleet/internal/reconcile"
	"example.com/fleet/internal/repo"
	"example.com/fleet/internal/rollout"
	"example.com/fleet/internal/store"
	"example.com/fleet/internal/store/kvstore"
	"example.com/fleet/internal/store/storemw"
	"example.com/fleet/internal/telemetry"
	"example.com/fleet/internal/tokens"
)

type settings struct {
	Listen          string
	AccountID       string
	NamespaceID     string
	TokenLifetime   time.Duration
	ReconcileEvery  time.Duration
	HeartbeatConfig heartbeat.Config
	Push            configpush.Options
}

func loadSettings() settings {
	s := settings{
		Listen:         envOr("FLEETD_LISTEN", ":8080"),
		AccountID:      os.Getenv("CLOUDFLARE_ACCOUNT_ID"),
		NamespaceID:    os.Getenv("FLEET_KV_NAMESPACE"),
		TokenLifetime:  30 * 24 * time.Hour,
		ReconcileEvery: 6 * time.Hour,
		HeartbeatConfig: heartbeat.Config{
			StatusTTL: 30 * time.Second,
			Interval:  20 * time.Second,
		},
		Push: configpush.Options{
			ConfigTTL: 6 * time.Hour,
			FlagTTL:   20 * time.Second, // EXPECT kvttl
		},
	}
	if v := os.Getenv("FLEETD_TOKEN_DAYS"); v != "" {
		if days, err := strconv.Atoi(v); err == nil {
			s.TokenLifetime = time.Duration(days) * 24 * time.Hour
		}
	}
	return s
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// warehouse is the telemetry sink; in production it batches into the
// analytics pipeline.
type warehouse struct{ log *slog.Logger }

func (w warehouse) Write(ctx context.Context, rs []telemetry.Reading) error {
	w.log.DebugContext(ctx, "forward readings", "n", len(rs))
	return nil
}

// inventory answers from the ERP export; stubbed to "known" until the
// integration lands.
type inventory struct{}

func (inventory) Known(context.Context, string) (bool, error) { return true, nil }

// billing answers plan lookups; stubbed until the billing API client lands.
type billing struct{}

func (billing) PlanName(context.Context, string) (string, error) { return "starter", nil }

// beacon tells the edge status Worker that the daemon is alive.
func beacon(ctx context.Context, st store.Store, log *slog.Logger) error {
	host, _ := os.Hostname()
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case now := <-t.C:
			if err := st.Put(ctx, "fleetd:alive", []byte(host+" "+now.UTC().Format(time.RFC3339Nano))); err != nil { // EXPECT kvhotkey
				log.Warn("beacon", "err", err)
			}
		}
	}
}

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	cfg := loadSettings()

	client := cloudflare.NewClient(option.WithAPIToken(os.Getenv("CLOUDFLARE_API_TOKEN")))
	ns := kvstore.New(client, cfg.AccountID, cfg.NamespaceID)
	counters := &storemw.Counters{}
	var st store.Store = storemw.Logging(storemw.Metrics(ns, counters), log)
	cachedStore := storemw.Cached(st, 30*time.Second)

	issuer := tokens.NewIssuer(st, cfg.TokenLifetime)
	enrolment := enroll.NewService(st, issuer)
	hb := heartbeat.NewRecorder(st, cfg.HeartbeatConfig)
	quotas := quota.NewService(st, billing{})
	plans := repo.New[rollout.Plan](st, "rollout:")
	rollouts := rollout.NewService(plans, client, cfg.AccountID, cfg.NamespaceID)
	pusher := configpush.New(client, cfg.AccountID, cfg.NamespaceID, st, cfg.Push)
	ingest := telemetry.NewIngestor(client, cfg.AccountID, cfg.NamespaceID, warehouse{log: log})
	job := reconcile.New(client, st, inventory{}, log, reconcile.Config{AccountID: cfg.AccountID, NamespaceID: cfg.NamespaceID})
	overrides := configpush.OverrideDeps{Load: cachedStore.Get, Save: st.Put}

	api := httpapi.New(httpapi.Deps{
		Load:       cachedStore.Get,
		Save:       st.Put,
		Remove:     st.Delete,
		Enroll:     enrolment,
		Heartbeats: hb,
		Tokens:     issuer,
		Log:        log,
		Admin:      adminRoutes(rollouts, overrides, pusher),
	})

	// deliveries is fed by the Queues pull consumer once it is enabled for
	// the account.
	deliveries := make(chan message)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	srv := &http.Server{Addr: cfg.Listen, Handler: api.Handler(), ReadHeaderTimeout: 10 * time.Second}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	})
	g.Go(func() error {
		<-gctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		return srv.Shutdown(shutdown)
	})
	g.Go(func() error { return beacon(gctx, st, log) })
	g.Go(func() error { return consumeTelemetry(gctx, deliveries, ingest, quotas, log) })
	g.Go(func() error {
		t := time.NewTicker(cfg.ReconcileEvery)
		defer t.Stop()
		for {
			select {
			case <-gctx.Done():
				return nil
			case <-t.C:
				if _, err := job.Run(gctx); err != nil {
					log.Error("reconcile", "err", err)
				}
			}
		}
	})
	g.Go(func() error {
		t := time.NewTicker(time.Hour)
		defer t.Stop()
		for {
			select {
			case <-gctx.Done():
				return nil
			case <-t.C:
				if err := pusher.PublishManifest(gctx, []string{"2024.10", "2024.11"}); err != nil {
					log.Error("publish manifest", "err", err)
				}
			}
		}
	})
	if err := g.Wait(); err != nil {
		log.Error("fleetd", "err", err)
		os.Exit(1)
	}
}
