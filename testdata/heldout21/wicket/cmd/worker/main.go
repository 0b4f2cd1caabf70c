//go:build js && wasm

// Command worker is the library edge Worker.
package main

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"sync"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"

	"example.com/wicket/internal/api"
	"example.com/wicket/internal/doorlock"
	"example.com/wicket/internal/edgecache"
	"example.com/wicket/internal/events"
	"example.com/wicket/internal/guard"
	"example.com/wicket/internal/httpx"
	"example.com/wicket/internal/ils"
	"example.com/wicket/internal/kiosk"
	"example.com/wicket/internal/kvport/kvjs"
	"example.com/wicket/internal/loans"
	"example.com/wicket/internal/notices"
	"example.com/wicket/internal/seats"
	"example.com/wicket/internal/sessions"
	"example.com/wicket/internal/tally"
)

type app struct {
	handler http.Handler
	loans   *loans.Service
	runner  *notices.Runner
}

// build opens the bindings; they are only reachable once the runtime has
// handed the Worker its environment, so this runs on first use.
var build = sync.OnceValues(func() (*app, error) {
	library, err := kvjs.Open("LIBRARY")
	if err != nil {
		return nil, err
	}
	sessNS, err := kvjs.Open("SESSIONS")
	if err != nil {
		return nil, err
	}
	doorNS, err := kvjs.Open("DOORS")
	if err != nil {
		return nil, err
	}
	catalogKV, err := cloudflare.NewKVNamespace("CATALOG")
	if err != nil {
		return nil, err
	}
	stateKV, err := cloudflare.NewKVNamespace("NOTICE_STATE")
	if err != nil {
		return nil, err
	}
	tallyNS, err := cloudflare.NewDurableObjectNamespace("TALLY")
	if err != nil {
		return nil, err
	}
	stub, err := tallyNS.Get(tallyNS.IdFromName("library"))
	if err != nil {
		return nil, err
	}
	counters := tally.Durable{Stub: stub}
	client := ils.Client{HTTP: http.DefaultClient, Base: cloudflare.Getenv("ILS_BASE"), Token: cloudflare.Getenv("ILS_TOKEN")}

	loanSvc := loans.New(client, library, counters)
	sess := sessions.New(sessNS, sessions.Lifetime(8*time.Hour), sessions.ResetCodeTTL(20*time.Minute))
	g := guard.New(sessNS.Raw(), 10)
	pub := kiosk.NewPublisher(library, counters)
	go pub.Consume(context.Background())
	go pub.Run(context.Background(), time.Minute)
	beats := kiosk.NewHeartbeats(library.Raw(), pub)
	codes := doorlock.NewCodes(doorNS.Raw())
	cache := edgecache.New(catalogKV, edgecache.Upstream{Client: http.DefaultClient, ILSBase: client.Base, Token: client.Token})

	srv := &api.Server{
		Loans:    loanSvc,
		Seats:    seats.NewBooker(library, client.Tier),
		Sessions: sess,
		Doors:    doorlock.Registry{KV: doorNS},
		Kiosks:   kiosk.NewRegistry(library),
		Dir:      client,
		Guard:    g,
		Mail:     ils.Relay{Client: client},
		KV:       library,
	}
	extra := []httpx.Route{
		{Pattern: "POST /kiosk/beat", Handler: beats},
		{Pattern: "GET /v1/titles/{isbn}", Handler: httpx.JSON(func(r *http.Request) (any, error) {
			return cache.Title(r.Context(), r.PathValue("isbn"))
		})},
		{Pattern: "GET /v1/suggest", Handler: httpx.JSON(func(r *http.Request) (any, error) {
			return cache.Suggest(r.URL.Query().Get("q"))
		})},
		{Pattern: "GET /v1/branches/{branch}/banner", Handler: httpx.JSON(func(r *http.Request) (any, error) {
			return cache.Banner(r.PathValue("branch"))
		})},
		{Pattern: "POST /locks/{lock}/check", Handler: httpx.Handler(func(w http.ResponseWriter, r *http.Request) error {
			code, _ := io.ReadAll(io.LimitReader(r.Body, 16))
			grant, err := codes.Check(r.PathValue("lock"), string(code))
			switch {
			case errors.Is(err, doorlock.ErrUnknownCode), errors.Is(err, doorlock.ErrOutsideSlot):
				return httpx.Status(http.StatusForbidden, "denied", err)
			case err != nil:
				return err
			}
			return httpx.WriteJSON(w, http.StatusOK, grant)
		})},
		{Pattern: "POST /hooks/ils", Handler: httpx.Handler(func(w http.ResponseWriter, r *http.Request) error {
			body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
			if err != nil {
				return err
			}
			evs, err := events.DecodeBatch(body)
			if err != nil {
				return httpx.Status(http.StatusBadRequest, "bad batch", err)
			}
			for _, ev := range evs {
				if e, ok := ev.(*events.HoldShelved); ok {
					if err := loanSvc.OnHoldShelved(r.Context(), *e); err != nil {
						return err
					}
				}
			}
			return cache.Apply(r.Context(), evs)
		})},
	}
	h := httpx.Stack(srv.Handler(extra...), g.Middleware(sess.CookieName()))
	return &app{
		handler: h,
		loans:   loanSvc,
		runner:  notices.NewRunner(library.Raw(), stateKV, ils.Relay{Client: client}),
	}, nil
})

func serve(w http.ResponseWriter, r *http.Request) {
	a, err := build()
	if err != nil {
		log.Printf("worker: %v", err)
		http.Error(w, "service unavailable", http.StatusServiceUnavailable)
		return
	}
	a.handler.ServeHTTP(w, r)
}

func nightly(ctx context.Context) error {
	a, err := build()
	if err != nil {
		return err
	}
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	if err := a.loans.EnsurePolicyDefaults(ctx); err != nil {
		log.Printf("policy defaults: %v", err)
	}
	if _, err := a.loans.SweepPickupReminders(ctx, ev.ScheduledTime); err != nil {
		log.Printf("pickup sweep: %v", err)
	}
	if ev.ScheduledTime.Weekday() == time.Sunday {
		if _, err := a.runner.SweepLoans(ctx); err != nil {
			return err
		}
	} else if _, err := a.runner.SweepDue(ctx, 10); err != nil {
		return err
	}
	_, err = a.runner.WriteDigest(ev.ScheduledTime)
	return err
}

func main() {
	workers.ServeNonBlock(http.HandlerFunc(serve))
	cron.ScheduleTaskNonBlock(nightly)
	workers.Ready()
	select {
	case <-workers.Done():
	case <-cron.Done():
	}
}
