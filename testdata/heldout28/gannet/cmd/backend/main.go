// Command backend runs the practice's back-office API and background jobs.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"example.com/gannet/backend/accounts"
	"example.com/gannet/backend/api"
	"example.com/gannet/backend/cfkv"
	"example.com/gannet/backend/jobs"
	"example.com/gannet/backend/kvrest"
	"example.com/gannet/backend/refills"
	"example.com/gannet/backend/schedules"
	"example.com/gannet/backend/summaries"
	"example.com/gannet/internal/domain"
	"example.com/gannet/internal/ttl"
)

type config struct {
	Env        string
	AccountID  string
	Token      string
	StaffToken string
	Addr       string
	Namespaces map[string]string
	TimeZone   *time.Location
}

func loadConfig() (config, error) {
	cfg := config{
		Env:        envOr("GANNET_ENV", "dev"),
		AccountID:  os.Getenv("CF_ACCOUNT_ID"),
		Token:      os.Getenv("CF_API_TOKEN"),
		StaffToken: os.Getenv("GANNET_STAFF_TOKEN"),
		Addr:       envOr("GANNET_ADDR", ":8080"),
	}
	if err := json.Unmarshal([]byte(envOr("GANNET_NAMESPACES", "{}")), &cfg.Namespaces); err != nil {
		return cfg, fmt.Errorf("GANNET_NAMESPACES: %w", err)
	}
	loc, err := time.LoadLocation(envOr("GANNET_TZ", "America/Chicago"))
	if err != nil {
		return cfg, err
	}
	cfg.TimeZone = loc
	if cfg.AccountID == "" || cfg.Token == "" {
		return cfg, errors.New("CF_ACCOUNT_ID and CF_API_TOKEN are required")
	}
	return cfg, nil
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

var summaryPage = template.Must(template.New("s").Parse(
	`<article><h1>Visit summary</h1><p>{{.Plan}}</p><div>{{.Body}}</div></article>`))

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	cfg, err := loadConfig()
	if err != nil {
		log.Error("config", "err", err)
		os.Exit(1)
	}

	opts := []cfkv.Option{cfkv.WithEnvironment(cfg.Env)}
	for name, id := range cfg.Namespaces {
		opts = append(opts, cfkv.WithNamespace(name, id))
	}
	store := cfkv.New(cfg.AccountID, cfg.Token, opts...)

	edge := store.Space("edge")
	sessions := store.Space("sessions")
	portal := store.Space("portal")
	back := store.Space("backoffice")

	rest := kvrest.New(kvrest.Config{
		AccountID: cfg.AccountID,
		Token:     cfg.Token,
		Env:       cfg.Env,
		Namespaces: map[string]string{
			cfg.Env: cfg.Namespaces[cfg.Env+"/edge"],
		},
	})

	refillSvc := refills.New(back, portal, refills.Config{
		PendingTTL:   ttl.Seconds(45), // EXPECT kvttl
		MonthlyQuota: 8,
		Location:     cfg.TimeZone,
	}, func(ctx context.Context, req domain.RefillRequest) error {
		log.Info("refill waiting", "id", req.ID)
		return nil
	})

	scheduleSvc := schedules.New(edge, schedules.Direct{
		API:       store.API(),
		AccountID: store.AccountID(),
		Namespace: store.Resolver("edge"),
	})

	summarySvc := summaries.New(store.API(), store.AccountID(), store.Resolver("portal"), portal,
		func(s domain.VisitSummary) ([]byte, error) {
			var b strings.Builder
			err := summaryPage.Execute(&b, s)
			return []byte(b.String()), err
		}, cfg.TimeZone)

	accountSvc := accounts.New(sessions, sessions, store.API(), store.AccountID(), store.Resolver("sessions"))

	export := &jobs.Export{
		REST:   rest,
		Prefix: "appt:",
		Write: func(ctx context.Context, k kvrest.Key) error {
			return json.NewEncoder(os.Stdout).Encode(k)
		},
	}

	app := &api.App{
		Refills:    refillSvc,
		Schedules:  scheduleSvc,
		Summaries:  summarySvc,
		Probe:      export.Probe,
		StaffToken: cfg.StaffToken,
		Log:        log,
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	reminders := &jobs.Reminders{
		Appts:       edge,
		State:       back,
		Concurrency: 8,
		Log:         log,
		Send: func(ctx context.Context, a domain.Appointment) error {
			log.Info("reminder", "appt", a.ID)
			return nil
		},
	}
	sync := &jobs.Sync{
		API:       store.API(),
		AccountID: store.AccountID(),
		Namespace: store.Resolver("edge"),
		Feed:      func(ctx context.Context, after int64) ([]jobs.Change, error) { return nil, nil },
	}
	go runJobs(ctx, log, reminders, sync, export)

	// Sign-out-everywhere is driven by the identity provider's webhooks.
	root := http.NewServeMux()
	root.Handle("/idp/", idpHooks(accountSvc))
	root.Handle("/", app.Routes())
	srv := &http.Server{Addr: cfg.Addr, Handler: root, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	log.Info("listening", "addr", cfg.Addr, "env", cfg.Env)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("serve", "err", err)
		os.Exit(1)
	}
}

func idpHooks(svc *accounts.Service) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /idp/password-changed/{patient}", func(w http.ResponseWriter, r *http.Request) {
		if err := svc.ChangePassword(r.Context(), r.PathValue("patient")); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
		}
	})
	return mux
}

func runJobs(ctx context.Context, log *slog.Logger, rem *jobs.Reminders, sync *jobs.Sync, export *jobs.Export) {
	tick := time.NewTicker(2 * time.Minute)
	defer tick.Stop()
	var seq int64
	var lastReminders, lastExport time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			if next, err := sync.Run(ctx, seq); err != nil {
				log.Warn("sync", "err", err)
			} else {
				seq = next
			}
			if now.Hour() == 17 && now.Sub(lastReminders) >= time.Hour {
				_, err := rem.Run(ctx)
				log.Info("reminders", "err", err)
				lastReminders = now
			}
			if now.Hour() == 2 && now.Sub(lastExport) >= time.Hour {
				n, err := export.Run(ctx)
				log.Info("export", "n", n, "err", err)
				lastExport = now
			}
		}
	}
}
