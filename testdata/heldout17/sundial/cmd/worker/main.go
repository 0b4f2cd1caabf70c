//go:build js && wasm

// Command worker is the sundial Cloudflare Worker: the HTTP API, the
// notification queue consumer and the cron jobs.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/fetch"
	"github.com/syumai/workers/cloudflare/queues"

	"example.com/sundial/internal/app"
	"example.com/sundial/internal/catalog"
	"example.com/sundial/internal/clock"
	"example.com/sundial/internal/config"
	"example.com/sundial/internal/d1"
	"example.com/sundial/internal/edge"
	"example.com/sundial/internal/engagement"
	"example.com/sundial/internal/httpapi"
	"example.com/sundial/internal/jobs"
	"example.com/sundial/internal/notify"
	"example.com/sundial/internal/orders"
	"example.com/sundial/internal/organiser"
	"example.com/sundial/internal/quota"
	"example.com/sundial/internal/retry"
	"example.com/sundial/internal/storage/decorate"
	"example.com/sundial/internal/storage/kvstore"
	"example.com/sundial/internal/tickets"
	"example.com/sundial/internal/venue"
)

// mailer sends email through the transactional mail API.
type mailer struct {
	http *http.Client
	from string
}

func (m mailer) Send(ctx context.Context, to, subject, body string) error {
	msg, _ := json.Marshal(map[string]any{"from": m.from, "to": []string{to}, "subject": subject, "text": body})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "https://mail.sundial.example/v1/send", bytes.NewReader(msg))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := m.http.Do(req)
	if err != nil {
		return retry.Retryable(err)
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("mail: HTTP %d", resp.StatusCode)
	}
	return nil
}

// worker builds its dependencies on the first event, once the environment
// bindings are available.
type worker struct {
	once     sync.Once
	err      error
	log      *slog.Logger
	http     http.Handler
	consumer *notify.Consumer
	jobs     *jobs.Jobs
}

func (w *worker) init() error {
	w.once.Do(func() { w.err = w.build() })
	return w.err
}

func (w *worker) build() error {
	cfg, err := config.Load(cloudflare.Getenv)
	if err != nil {
		return err
	}
	clk := clock.System{}
	kvs := kvstore.New(cfg.KVBinding)
	ns, err := kvs.Namespace()
	if err != nil {
		return err
	}
	producer, err := queues.NewProducer("NOTIFICATIONS")
	if err != nil {
		return err
	}
	st := decorate.Retry(kvs, retry.Attempts(3))
	notifier := notify.Producer{Queue: producer}
	mail := mailer{http: fetch.NewClient().HTTPClient(fetch.RedirectModeFollow), from: "tickets@sundial.example"}

	events := d1.NewMemTable[catalog.Event]()
	counter := d1.NewMemCounter()
	bus := app.NewBus(w.log)
	venues := venue.NewService(st, venue.NewRepo(st, d1.NewMemTable[venue.Venue]()), clk)
	venues.RegisterCommands(bus)
	orderSvc := orders.NewService(st, d1.NewMemTable[string](), clk, notifier, w.log)
	secrets := map[string][]byte{
		"stripe": []byte(cloudflare.Getenv("STRIPE_WEBHOOK_SECRET")),
		"paypal": []byte(cloudflare.Getenv("PAYPAL_WEBHOOK_SECRET")),
	}
	orgs := organiser.NewService(st, d1.NewMemTable[organiser.Organiser](), clk, organiser.Options{
		SessionTTL:     cfg.SessionTTL,
		VerifyTTL:      cfg.VerifyTTL,
		RecoveryWindow: cfg.RecoveryWindow(),
	}, mail, w.log)
	cat := catalog.NewService(st, events, clk, w.log)

	api := &httpapi.API{
		Store:      st,
		Venues:     venues,
		Catalog:    cat,
		Tickets:    tickets.NewService(st, orderSvc, clk, cfg.HoldTTL()),
		Orders:     orderSvc,
		Webhooks:   orders.NewWebhooks(orderSvc, st, d1.NewMemTable[orders.Delivery](), secrets, cfg.WebhookRetryWindow, clk),
		Organisers: orgs,
		Quota:      quota.NewService(kvs, cfg.TenantPrefix, cfg.Plans, clk),
		Bus:        bus,
		Views:      engagement.Views{Namespace: ns},
		Counter:    counter,
		Clock:      clk,
		Log:        w.log,
		Search: httpapi.NewSearchCache(st, func(ctx context.Context, q string) ([]httpapi.SearchHit, error) {
			params, _ := url.ParseQuery(q)
			term := strings.ToLower(params.Get("q"))
			rows, err := events.Select(ctx, func(e catalog.Event) bool {
				return e.Status == catalog.Published && strings.Contains(strings.ToLower(e.Title), term)
			}, 48)
			hits := make([]httpapi.SearchHit, 0, len(rows))
			for _, e := range rows {
				hits = append(hits, httpapi.SearchHit{ID: e.ID, Title: e.Title, Venue: e.VenueSlug, StartsAt: e.StartsAt})
			}
			return hits, err
		}),
		SessionCookie: "sundial_session",
		BuyerCookie:   "sundial_buyer",
	}
	eh := &edge.Handlers{NS: kvs.Namespace, Clock: clk, Log: w.log, Cookie: api.SessionCookie}
	wishlists := engagement.NewWishlists(ns)

	mux := http.NewServeMux()
	mux.Handle("/", api.Handler())
	mux.HandleFunc("GET /healthz", eh.Health)
	mux.HandleFunc("POST /logout", eh.Logout)
	mux.HandleFunc("GET /internal/sessions", eh.Sessions)
	mux.HandleFunc("GET /orders/{order}/pass", eh.Pass)
	mux.HandleFunc("GET /venues/{slug}/card", eh.VenueCard)
	mux.HandleFunc("POST /events/{event}/preview", eh.CreatePreview)
	mux.HandleFunc("GET /wishlist/{buyer}", func(rw http.ResponseWriter, r *http.Request) {
		ids, err := wishlists.List(r.PathValue("buyer"))
		if err != nil {
			http.Error(rw, err.Error(), http.StatusBadGateway)
			return
		}
		json.NewEncoder(rw).Encode(ids)
	})
	mux.HandleFunc("POST /wishlist/{buyer}/{event}", func(rw http.ResponseWriter, r *http.Request) {
		if err := wishlists.Add(r.PathValue("buyer"), r.PathValue("event")); err != nil {
			http.Error(rw, err.Error(), http.StatusBadGateway)
			return
		}
		rw.WriteHeader(http.StatusNoContent)
	})
	w.http = eh.Maintenance(mux)
	w.consumer = &notify.Consumer{NS: kvs.Namespace, Mail: mail, Clock: clk, Log: w.log}
	w.jobs = &jobs.Jobs{NS: kvs.Namespace, Events: events, Counter: counter, Clock: clk, Log: w.log, Batch: cfg.PublishBatch}
	return nil
}

func (w *worker) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	if err := w.init(); err != nil {
		w.log.Error("startup failed", "error", err)
		http.Error(rw, "service unavailable", http.StatusServiceUnavailable)
		return
	}
	w.http.ServeHTTP(rw, r)
}

func main() {
	w := &worker{log: slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))}
	queues.ConsumeNonBlock(func(batch *queues.MessageBatch) error {
		if err := w.init(); err != nil {
			return err
		}
		return w.consumer.Handle(batch)
	})
	cron.ScheduleTaskNonBlock(func(ctx context.Context) error {
		if err := w.init(); err != nil {
			return err
		}
		return w.jobs.Run(ctx)
	})
	workers.Serve(w)
}
