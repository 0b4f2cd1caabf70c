//go:build js && wasm

// Command edge is the storefront Worker.
package main

import (
	"context"
	"log"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/queues"

	"example.com/thistle/internal/boxes"
	"example.com/thistle/internal/clock"
	"example.com/thistle/internal/config"
	"example.com/thistle/internal/edge"
	"example.com/thistle/internal/edgekv"
	"example.com/thistle/internal/events"
	"example.com/thistle/internal/fulfilment"
	"example.com/thistle/internal/httpx"
	"example.com/thistle/internal/metrics"
	"example.com/thistle/internal/promo"
	"example.com/thistle/internal/ratelimit"
	"example.com/thistle/internal/recipes"
	"example.com/thistle/internal/sched"
	"example.com/thistle/internal/sessions"
	"example.com/thistle/internal/slots"
	"example.com/thistle/internal/store"
)

func main() {
	cfg, err := config.FromEnv()
	if err != nil {
		log.Fatal(err)
	}
	clk := clock.System{}

	ns, err := edgekv.Open("THISTLE_KV", edgekv.WithEdgeCache(5*time.Minute))
	if err != nil {
		log.Fatal(err)
	}
	authNS, err := edgekv.Open("THISTLE_AUTH")
	if err != nil {
		log.Fatal(err)
	}
	var data store.Store = ns
	if cfg.Region != "" {
		data = ns.ForTenant(cfg.Region)
	}

	origin := recipes.OriginFetcher(http.DefaultClient, cfg.KitchenOrigin)
	catalog := recipes.NewCatalog(data, origin, clk, cfg)
	bx := boxes.New(data, clk, boxes.DefaultCutoff)
	sl := slots.New(data, clk)
	pr := promo.New(data, clk, cfg)
	ss := sessions.New(authNS, clk, cfg, sessions.WithBaseURL("https://thistle.example"), sessions.WithTouchEvery(time.Hour))
	tally := metrics.NewTally(data, clk, randomIsolate())

	loginGate := ratelimit.All(
		ratelimit.NewBlocklist(authNS),
		ratelimit.NewLocal(clk, 10, time.Second),
		ratelimit.NewGate(authNS, clk, cfg.LoginPerHour, time.Hour),
	)

	srv := edge.NewServer(ns, clk, catalog, bx, sl, pr, ss)
	srv.OnOrder(func(ctx context.Context, id string) error {
		tally.Inc("orders")
		return nil
	})

	authed := httpx.RequireSession(ss, true)
	kitchen := func(h http.Handler) http.Handler {
		return httpx.Chain(h, authed, httpx.KitchenActivity(ns, clk))
	}
	mux := http.NewServeMux()
	mux.Handle("/", srv.Routes(authed, kitchen))
	mux.Handle("POST /login", httpx.Chain(srv.Routes(authed, kitchen), httpx.Limit(loginGate, httpx.ClientIP)))
	handler := httpx.Chain(mux, httpx.Recover, httpx.Logger(clk), httpx.LastVisit(ns, clk, 30*time.Second))

	s := sched.New(func(name string, err error) { log.Printf("job %s: %v", name, err) })
	s.On("* * * * *", tally.Flush)
	s.On("* * * * *", tally.Heartbeat)
	s.On("59 23 * * 3", func(ctx context.Context) error {
		return bx.LockWeek(ctx, clock.WeekID(clk.Now().AddDate(0, 0, 5)))
	})
	cron.ScheduleTaskNonBlock(func(ctx context.Context) error {
		ev, err := cron.NewEvent(ctx)
		if err != nil {
			return err
		}
		return s.Fire(ctx, ev.Cron)
	})

	consumer := fulfilment.NewConsumer(data, clk, sl, ss, catalog)
	queues.ConsumeNonBlock(func(batch *queues.MessageBatch) error {
		msgs := make([]any, 0, len(batch.Messages))
		for _, m := range batch.Messages {
			body, err := m.StringBody()
			if err != nil {
				log.Printf("queue %s: %v", batch.Queue, err)
				continue
			}
			msg, err := events.Decode([]byte(strings.TrimSpace(body)))
			if err != nil {
				log.Printf("queue %s: %v", batch.Queue, err)
				continue
			}
			msgs = append(msgs, msg)
		}
		if err := consumer.Handle(context.Background(), msgs); err != nil {
			batch.RetryAll()
			return err
		}
		batch.AckAll()
		return nil
	})

	workers.Serve(handler)
}

func randomIsolate() string {
	return clock.System{}.Now().Format("150405.000000")
}
