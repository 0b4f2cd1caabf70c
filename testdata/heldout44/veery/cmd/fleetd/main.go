// Command fleetd is the fleet backend: the device and console HTTP API, the
// per-minute cron jobs and the alert queue consumer, in one process.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	cf "github.com/cloudflare/cloudflare-go"
	cloudflare "github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/option"

	"veery/internal/alerts"
	"veery/internal/commands"
	"veery/internal/config"
	"veery/internal/console"
	"veery/internal/enrol"
	"veery/internal/heartbeat"
	"veery/internal/kvstore"
	"veery/internal/registry"
	"veery/internal/rollout"
)

const maxValueBytes = 4 << 20

func main() {
	if err := run(); err != nil {
		slog.Error("fleetd", "err", err)
		os.Exit(1)
	}
}

type app struct {
	cfg      config.Config
	store    *kvstore.Store
	v3       kvstore.V3
	registry *registry.Client
	beats    *heartbeat.Recorder
	rollouts rollout.Service
	alerts   *alerts.Throttler
}

func run() error {
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	api, err := cf.NewWithAPIToken(cfg.APIToken)
	if err != nil {
		return err
	}
	store := kvstore.New(api, cfg.AccountID)
	store.BeforeSave(func(ctx context.Context, ns, key string, value []byte) error {
		if len(value) > maxValueBytes {
			return fmt.Errorf("value of %d bytes exceeds the service limit", len(value))
		}
		return nil
	})
	store.BeforeSave(func(ctx context.Context, ns, key string, value []byte) error {
		slog.Debug("kv write", "ns", ns, "key", key, "bytes", len(value))
		return nil
	})
	store.AfterDelete(func(ctx context.Context, ns, key string) {
		slog.Info("kv delete", "ns", ns, "key", key)
	})

	v3 := kvstore.V3{
		Client:    cloudflare.NewClient(option.WithAPIToken(cfg.APIToken)),
		AccountID: cfg.AccountID,
	}
	reg := &registry.Client{BaseURL: cfg.RegistryURL, APIKey: cfg.RegistryAPIKey, HTTP: &http.Client{Timeout: 10 * time.Second}}

	a := &app{
		cfg:      cfg,
		store:    store,
		v3:       v3,
		registry: reg,
		beats:    heartbeat.NewRecorder(store, reg, cfg.NS.Devices, cfg.NS.Cache, cfg.OfflineGrace()),
		rollouts: rollout.Service{KV: v3, Registry: reg, NS: cfg.NS.Rollouts},
		alerts: &alerts.Throttler{
			KV:        store,
			NS:        cfg.NS.Alerts,
			Window:    cfg.AlertWindow,
			PerMinute: cfg.AlertsPerMin,
			SMSPerDay: cfg.SMSPerDay,
			Notify: &alerts.Notifier{
				WebhookURL: os.Getenv("ALERT_WEBHOOK_URL"),
				SMSURL:     os.Getenv("ALERT_SMS_URL"),
				HTTP:       &http.Client{Timeout: 5 * time.Second},
			},
		},
	}

	mux := http.NewServeMux()
	(&enrol.Handler{Svc: enrol.Service{
		KV:        store,
		Registry:  reg,
		EnrolNS:   cfg.NS.Enrol,
		DevicesNS: cfg.NS.Devices,
		CacheNS:   cfg.NS.Cache,
		TokenTTL:  cfg.EnrolTokenTTL,
	}}).Routes(mux)
	(&console.Handler{
		API:        api,
		RC:         cf.AccountIdentifier(cfg.AccountID),
		NS:         cfg.NS.Sessions,
		SessionTTL: cfg.SessionTTL,
		SSO: console.SSO{
			AuthorizeURL: os.Getenv("SSO_AUTHORIZE_URL"),
			ClientID:     os.Getenv("SSO_CLIENT_ID"),
			RedirectURL:  os.Getenv("SSO_REDIRECT_URL"),
		},
		Operators: loadOperators(os.Getenv("CONSOLE_OPERATORS")),
	}).Routes(mux)
	a.beats.Routes(mux)
	(&commands.Handler{Q: commands.Queue{KV: v3, Registry: reg, NS: cfg.NS.Commands, TTL: cfg.CommandTTL}}).Routes(mux)
	(&rollout.Handler{Svc: a.rollouts}).Routes(mux)
	a.alerts.Routes(mux)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	go a.cronLoop(ctx)
	if cfg.QueueID != "" {
		go a.consumeAlerts(ctx)
	}

	srv := &http.Server{Addr: cfg.Listen, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	slog.Info("fleetd listening", "addr", cfg.Listen)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// loadOperators parses "name=sha256hex,name=sha256hex".
func loadOperators(s string) map[string]string {
	ops := map[string]string{}
	for _, pair := range strings.Split(s, ",") {
		if name, hash, ok := strings.Cut(strings.TrimSpace(pair), "="); ok {
			ops[name] = hash
		}
	}
	return ops
}
