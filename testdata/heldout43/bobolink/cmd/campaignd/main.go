// Command campaignd is the backend daemon: it runs the campaign scheduler,
// receives MTA webhooks and work-queue pushes, and flushes engagement stats.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/option"

	"bobolink/internal/campaigns"
	"bobolink/internal/cfkv"
	"bobolink/internal/clock"
	"bobolink/internal/events"
	"bobolink/internal/stats"
	"bobolink/internal/subscribers"
	"bobolink/internal/tenants"
	"bobolink/internal/throttle"
)

type smtpSender struct {
	relay string
	log   *slog.Logger
}

func (s smtpSender) Send(ctx context.Context, c *campaigns.Campaign, to string) error {
	// Delivery goes through the relay's HTTP submission API; omitted here.
	s.log.Debug("send", "campaign", c.ID, "to", to, "relay", s.relay)
	return nil
}

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	env := clock.Lookup(os.Getenv)
	clk := clock.System{}

	api := cloudflare.NewClient(option.WithAPIToken(os.Getenv("CLOUDFLARE_API_TOKEN")))
	account := os.Getenv("CLOUDFLARE_ACCOUNT_ID")
	reg := tenants.Parse(api, account, os.Getenv("TENANT_NAMESPACES"), os.Getenv("SYSTEM_NAMESPACE"), clk)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	th := throttle.New(reg.System, clk, env)
	agg := stats.NewAggregator(reg.System, env, log)
	go agg.Run(ctx, clock.Duration(env, "STATS_FLUSH_EVERY", 30*time.Second))

	hostname, _ := os.Hostname()
	sched := campaigns.NewScheduler(campaigns.ConfigFromEnv(env, hostname), reg, th,
		smtpSender{relay: os.Getenv("SMTP_RELAY"), log: log}, clk, log)
	go func() {
		every := clock.Duration(env, "SCHED_EVERY", time.Minute)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := sched.Tick(ctx); err != nil {
					log.Error("scheduler tick", "err", err)
				}
			}
		}
	}()

	resend := func(ctx context.Context, msgID string) error {
		log.Info("resend deferred message", "id", msgID)
		return nil
	}
	consumer := events.NewConsumer(reg, th, resend, clk, log)
	hooks := events.NewHandler(reg, agg, clk, log)

	mux := http.NewServeMux()
	mux.Handle("POST /webhooks/mta", events.Webhook(hooks, os.Getenv("WEBHOOK_SECRET")))
	mux.Handle("POST /queue/push", queuePush(consumer, log))
	mux.Handle("POST /tenants/{tenant}/import/{list}", importHandler(reg, clk))
	mux.Handle("POST /tenants/{tenant}/claim", claimHandler(reg))
	mux.HandleFunc("GET /tenants/{tenant}/onboarding", func(w http.ResponseWriter, r *http.Request) {
		empty, err := reg.IsEmpty(r.Context(), r.PathValue("tenant"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]bool{"show_checklist": empty})
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })

	srv := &http.Server{Addr: ":" + envOr("PORT", "8080"), Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("listen", "err", err)
		os.Exit(1)
	}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func queuePush(c *events.Consumer, log *slog.Logger) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var batch struct {
			Messages []struct {
				ID   string         `json:"id"`
				Body events.Message `json:"body"`
			} `json:"messages"`
		}
		if err := json.NewDecoder(r.Body).Decode(&batch); err != nil {
			http.Error(w, "bad batch", http.StatusBadRequest)
			return
		}
		var retry []string
		for _, m := range batch.Messages {
			if err := c.Handle(r.Context(), m.Body); err != nil {
				log.Warn("queue message", "id", m.ID, "kind", m.Body.Kind, "err", err)
				retry = append(retry, m.ID)
			}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"retry": retry})
	}
}

func importHandler(reg *tenants.Registry, clk clock.Clock) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ns, err := reg.Namespace(r.PathValue("tenant"))
		if errors.Is(err, tenants.ErrUnknown) {
			http.NotFound(w, r)
			return
		}
		rows, err := subscribers.ReadCSV(http.MaxBytesReader(w, r.Body, 64<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		job := r.URL.Query().Get("job")
		var w2 subscribers.Writer = ns
		im := subscribers.NewImporter(subscribers.NewDirectory(ns, clk), w2, job)
		list := r.PathValue("list")
		switch r.URL.Query().Get("mode") {
		case "replace":
			err = im.Replace(r.Context(), list, rows)
		case "suppressions":
			emails := make([]string, 0, len(rows))
			for _, row := range rows {
				emails = append(emails, row.Email)
			}
			err = im.ImportSuppressions(r.Context(), r.PathValue("tenant"), emails)
		default:
			_, err = im.Merge(r.Context(), list, rows)
		}
		if errors.Is(err, cfkv.ErrRateLimited) {
			http.Error(w, "try again later", http.StatusServiceUnavailable)
			return
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}
}

func claimHandler(reg *tenants.Registry) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		host := r.URL.Query().Get("host")
		err := reg.ClaimSubdomain(r.Context(), r.PathValue("tenant"), host)
		switch {
		case errors.Is(err, tenants.ErrTaken):
			http.Error(w, "host already claimed", http.StatusConflict)
		case err != nil:
			http.Error(w, err.Error(), http.StatusInternalServerError)
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	}
}
