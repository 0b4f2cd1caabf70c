//go:build js && wasm

// Command worker is the Cloudflare Worker that serves the Cinder API, runs
// the cron maintenance and consumes the tenant event queue.
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"sync"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/fetch"
	"github.com/syumai/workers/cloudflare/queues"

	"example.com/cinder/internal/apikeys"
	"example.com/cinder/internal/approvals"
	"example.com/cinder/internal/clock"
	"example.com/cinder/internal/config"
	"example.com/cinder/internal/domain"
	"example.com/cinder/internal/edge"
	"example.com/cinder/internal/events"
	"example.com/cinder/internal/httpapi"
	"example.com/cinder/internal/kvstore"
	"example.com/cinder/internal/maintenance"
	"example.com/cinder/internal/ratelimit"
	"example.com/cinder/internal/sched"
	"example.com/cinder/internal/session"
	"example.com/cinder/internal/storage"
	"example.com/cinder/internal/tenantcfg"
	"example.com/cinder/internal/verify"
)

// lockTTL is how long a workflow edit lock outlives a crashed editor.
const lockTTL = 15 * time.Second

type app struct {
	handler    http.Handler
	dispatcher *events.Dispatcher
	scheduler  *sched.Scheduler
}

var (
	mu      sync.Mutex
	current *app
)

// instance wires the application on first use; bindings are only reachable
// while an invocation is running.
func instance() (*app, error) {
	mu.Lock()
	defer mu.Unlock()
	if current != nil {
		return current, nil
	}
	a, err := wire()
	if err != nil {
		return nil, err
	}
	current = a
	return a, nil
}

func wire() (*app, error) {
	cfg, err := config.Parse(nil, cloudflare.Getenv)
	if err != nil {
		return nil, err
	}
	store, err := kvstore.Open("CINDER_KV", kvstore.WithCacheTTL(cfg.ConfigCacheTTL))
	if err != nil {
		return nil, err
	}
	clk := clock.System
	producer, err := queues.NewProducer("CINDER_EVENTS")
	if err != nil {
		return nil, err
	}
	publish := func(_ context.Context, ev domain.Event) error {
		b, err := domain.EncodeEvent(ev)
		if err != nil {
			return err
		}
		return producer.SendText(string(b))
	}

	originBase := cloudflare.Getenv("ORIGIN_URL")
	httpc := fetch.NewClient().HTTPClient(fetch.RedirectModeFollow)
	origin := storage.LoaderFunc(func(ctx context.Context, tenant string) ([]byte, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, originBase+"/tenants/"+tenant+"/config", nil)
		if err != nil {
			return nil, err
		}
		res, err := httpc.Do(req)
		if err != nil {
			return nil, err
		}
		defer res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("origin: %s", res.Status)
		}
		return io.ReadAll(res.Body)
	})

	configs := tenantcfg.New(store.Namespace(), origin, cfg.ConfigRefresh)
	sessions := session.NewManager(store, cfg, session.WithClock(clk))
	mailer := verify.MailerFunc(func(ctx context.Context, email, purpose, code string) error {
		return producer.SendJSON(map[string]string{"type": "mail.code", "to": email, "purpose": purpose, "code": code})
	})
	codes := verify.New(store, mailer, clk, cfg.CodeTTL)
	keys := apikeys.NewRegistry(store, clk)
	engine := approvals.New(store, clk, approvals.Options{
		LockTTL:         lockTTL, // EXPECT kvttl
		PendingPageSize: cfg.ListPageSize,
		PendingMaxPages: cfg.MaxListPages,
	})
	srv := httpapi.NewServer(cfg, store, sessions, codes, keys, engine, configs,
		httpapi.WithPublisher(publish), httpapi.WithClock(clk))
	mux := srv.Routes()
	edgeHandlers := edge.New(store.Namespace(), clk)
	edgeHandlers.Register(mux)

	gate := ratelimit.NewGate(store, cfg.RateLimit, cfg.RateWindow, clk)
	hits := ratelimit.NewHitCounter(store)
	countHits := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if p, ok := httpapi.PrincipalFrom(r.Context()); ok {
				hits.Hit(p.TenantID)
			}
			next.ServeHTTP(w, r)
		})
	}
	handler := httpapi.Chain(mux,
		httpapi.SessionAuth(sessions),
		httpapi.APIKeyAuth(keys),
		httpapi.Throttle(gate),
		countHits,
		httpapi.Activity(store, clk.Now),
	)

	plans := func(ctx context.Context, tenant string) (domain.Plan, error) {
		t, err := storage.Load[domain.Tenant](ctx, store, domain.Tenant{ID: tenant}.StorageKey())
		if storage.IsNotFound(err) {
			return domain.PlanFree, nil
		}
		return t.Plan, err
	}
	dispatcher := events.NewDispatcher(store, plans, clk)

	maint := maintenance.New(store, clk, cfg, maintenance.WithCompactPrefixes("idem:", "export:"))
	s := sched.New()
	s.EveryNamed("compact", cfg.CompactInterval, maint.Compact)
	s.EveryNamed("rollup", 24*time.Hour, maint.Rollup)
	s.EveryNamed("flush-hits", 5*time.Minute, hits.Flush)
	s.EveryNamed("flush-views", 5*time.Minute, func(context.Context) error { return edgeHandlers.FlushViews() })

	return &app{handler: handler, dispatcher: dispatcher, scheduler: s}, nil
}

func serve(w http.ResponseWriter, r *http.Request) {
	a, err := instance()
	if err != nil {
		log.Printf("wire: %v", err)
		http.Error(w, "misconfigured", http.StatusInternalServerError)
		return
	}
	a.handler.ServeHTTP(w, r)
}

func runCron(ctx context.Context) error {
	a, err := instance()
	if err != nil {
		return err
	}
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	return a.scheduler.RunDue(ctx, ev.ScheduledTime)
}

func consume(batch *queues.MessageBatch) error {
	a, err := instance()
	if err != nil {
		return err
	}
	evs := make([]domain.Event, 0, len(batch.Messages))
	for _, m := range batch.Messages {
		body, err := m.StringBody()
		if err != nil {
			log.Printf("queue %s: %v", m.ID, err)
			m.Ack()
			continue
		}
		ev, err := domain.DecodeEvent([]byte(body))
		if err != nil {
			log.Printf("queue %s: %v", m.ID, err)
			m.Ack()
			continue
		}
		evs = append(evs, ev)
	}
	if err := a.dispatcher.HandleBatch(context.Background(), evs); err != nil {
		batch.RetryAll(queues.WithRetryDelay(30 * time.Second))
		return nil
	}
	batch.AckAll()
	return nil
}

func main() {
	workers.ServeNonBlock(http.HandlerFunc(serve))
	cron.ScheduleTaskNonBlock(runCron)
	queues.ConsumeNonBlock(consume)
	workers.Ready()
	<-workers.Done()
}
