//go:build js && wasm

// Command tamarack-worker is the festival platform's Cloudflare Worker: the
// public schedule, the gate scanners, the info desks and the staff app.
package main

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"

	"example.com/tamarack/internal/camping"
	"example.com/tamarack/internal/config"
	"example.com/tamarack/internal/gates"
	"example.com/tamarack/internal/httpx"
	"example.com/tamarack/internal/jobs"
	"example.com/tamarack/internal/lineup"
	"example.com/tamarack/internal/lostfound"
	"example.com/tamarack/internal/payouts"
	"example.com/tamarack/internal/platform/kvstore"
	"example.com/tamarack/internal/platform/reqctx"
	"example.com/tamarack/internal/platform/store"
	"example.com/tamarack/internal/platform/storedeco"
	"example.com/tamarack/internal/presskit"
	"example.com/tamarack/internal/ratelimit"
	"example.com/tamarack/internal/shifts"
	"example.com/tamarack/internal/staffauth"
	"example.com/tamarack/internal/wristband"
)

// app builds its dependencies on the first event, when the runtime env and
// bindings are available.
type app struct {
	log     *slog.Logger
	once    sync.Once
	handler http.Handler
	runner  *jobs.Runner
	err     error
}

func (a *app) init() error {
	a.once.Do(func() { a.handler, a.runner, a.err = build(a.log) })
	return a.err
}

func (a *app) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := a.init(); err != nil {
		a.log.Error("startup failed", "err", err)
		httpx.Error(w, http.StatusServiceUnavailable, "starting up")
		return
	}
	a.handler.ServeHTTP(w, r)
}

func (a *app) scheduled(ctx context.Context) error {
	if err := a.init(); err != nil {
		return err
	}
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	return a.runner.Run(ctx, ev.Cron)
}

func main() {
	a := &app{log: slog.New(slog.NewJSONHandler(os.Stdout, nil))}
	cron.ScheduleTaskNonBlock(a.scheduled)
	workers.Serve(a)
}

func build(log *slog.Logger) (http.Handler, *jobs.Runner, error) {
	cfg, err := config.Load(cloudflare.Getenv)
	if err != nil {
		log.Warn("configuration problems; using defaults", "err", err)
	}
	kvs := kvstore.New(cfg.KVBinding, kvstore.WithLogger(log))
	ns, err := kvs.Namespace()
	if err != nil {
		return nil, nil, err
	}
	var base store.Store = storedeco.NewMetrics(kvs, log)
	up := newUpstream(cloudflare.Getenv("UPSTREAM_BASE"), cloudflare.Getenv("UPSTREAM_TOKEN"))

	bands := wristband.NewService(base, up, wristband.WithLogger(log))
	gateSvc := gates.NewService(storedeco.NewCaching(base, cfg.LocalCacheTTL), gates.WithReentryCooldown(cfg.ReentryCooldown), gates.WithLogger(log))
	gateEdge := gates.NewEdge(ns, 6*time.Hour, log)
	limiter := ratelimit.New(base, ratelimit.WithLimit(cfg.GateLimit), ratelimit.WithWindow(cfg.GateWindow), ratelimit.WithLogger(log))
	schedule := lineup.NewCache(base, up, lineup.WithTTL(cfg.LineupCacheTTL), lineup.WithLogger(log))
	mirror := lineup.NewMirror(kvs, log)
	press := presskit.NewService(base, presskit.WithLinkTTL(cfg.PressLinkTTL), presskit.WithLogger(log))
	desk := lostfound.NewService(base, cfg.ClaimRetention, log)
	roster := shifts.NewService(base, log)
	sessions := staffauth.NewSessions(base, staffauth.WithSessionTTL(cfg.SessionTTL), staffauth.WithTouchEvery(cfg.SessionTouch), staffauth.WithSessionLogger(log))
	authEdge := staffauth.NewEdge(ns, 30*24*time.Hour, log)
	plots := camping.NewService(base, camping.WithHoldTTL(cfg.PlotHoldTTL), camping.WithLogger(log))
	pay := payouts.NewService(base, payouts.NewKVLedger(base), log)

	mux := http.NewServeMux()
	bandHandler := wristband.NewHandler(bands, base, log)
	mux.HandleFunc("POST /wristbands/activate", bandHandler.Activate)
	mux.Handle("POST /gates/scan", limiter.Middleware()(httpx.Endpoint(func(r *http.Request) (any, error) {
		var sc gates.Scan
		if err := httpx.DecodeJSON(r, &sc); err != nil {
			return nil, err
		}
		if err := gateEdge.BumpTally(sc.Gate); err != nil {
			log.Warn("tally", "gate", sc.Gate, "err", err)
		}
		return nil, gateSvc.Record(r.Context(), sc)
	})))
	mux.Handle("GET /lineup", httpx.Endpoint(func(r *http.Request) (any, error) {
		day := r.URL.Query().Get("day")
		if day == "" {
			return schedule.Everything(r.Context())
		}
		if err := mirror.CountView(day); err != nil {
			log.Warn("view not counted", "day", day, "err", err)
		}
		return schedule.Day(r.Context(), day)
	}))
	mux.Handle("GET /lineup/now", httpx.Endpoint(func(r *http.Request) (any, error) {
		return schedule.OnNow(r.Context(), time.Now())
	}))
	mux.Handle("GET /presskit/d", httpx.Endpoint(func(r *http.Request) (any, error) {
		return press.Redeem(r.Context(), r.URL.Query().Get("t"))
	}))
	mux.Handle("POST /lostfound/claims", httpx.Endpoint(func(r *http.Request) (any, error) {
		q := r.URL.Query()
		return desk.FileClaim(r.Context(), q.Get("item"), q.Get("claimant"), q.Get("contact"))
	}))
	mux.Handle("GET /lostfound/desk", httpx.Endpoint(func(r *http.Request) (any, error) {
		return desk.ClaimsForDesk(r.Context(), r.URL.Query().Get("location"))
	}))
	mux.Handle("POST /camping/reserve", httpx.Endpoint(func(r *http.Request) (any, error) {
		q := r.URL.Query()
		return plots.Reserve(r.Context(), q.Get("plot"), q.Get("field"), q.Get("holder"), q.Get("band"), 1)
	}))
	mux.Handle("POST /payouts/sales", httpx.Endpoint(func(r *http.Request) (any, error) {
		var ev struct {
			Vendor string `json:"vendor"`
			Cents  int64  `json:"vendor_share_cents"`
		}
		if err := httpx.DecodeJSON(r, &ev); err != nil {
			return nil, err
		}
		return nil, pay.RecordSale(r.Context(), ev.Vendor, ev.Cents)
	}))
	mux.Handle("POST /staff/refresh", httpx.Endpoint(func(r *http.Request) (any, error) {
		tok, err := authEdge.Rotate(r.Header.Get("X-Refresh-Token"))
		return map[string]string{"refresh_token": tok}, err
	}))
	mux.Handle("POST /staff/login", httpx.Endpoint(func(r *http.Request) (any, error) {
		var req struct {
			StaffID  string `json:"staff_id"`
			Password string `json:"password"`
		}
		if err := httpx.DecodeJSON(r, &req); err != nil {
			return nil, err
		}
		role, err := up.Verify(r.Context(), req.StaffID, req.Password)
		if err != nil {
			return nil, err
		}
		return sessions.Create(r.Context(), req.StaffID, role)
	}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if err := ns.PutString("health:last-probe", time.Now().UTC().Format(time.RFC3339), nil); err != nil { // EXPECT kvhotkey
			httpx.Error(w, http.StatusServiceUnavailable, "kv unavailable")
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})

	staff := http.NewServeMux()
	staff.Handle("POST /staff/swaps", httpx.Endpoint(func(r *http.Request) (any, error) {
		var sw shifts.Swap
		if err := httpx.DecodeJSON(r, &sw); err != nil {
			return nil, err
		}
		me, _ := reqctx.StaffFrom(r.Context())
		day := r.URL.Query().Get("day")
		roster.Log(r.Context(), day, me.ID+" requested a swap of "+sw.ShiftID)
		return roster.RequestSwap(r.Context(), day, sw)
	}))
	staff.Handle("POST /staff/logout", httpx.Endpoint(func(r *http.Request) (any, error) {
		me, _ := reqctx.StaffFrom(r.Context())
		return nil, sessions.Logout(r.Context(), me.SessionID)
	}))
	staff.Handle("POST /staff/presskit/revoke", httpx.Endpoint(func(r *http.Request) (any, error) {
		return nil, press.Revoke(r.Context(), r.URL.Query().Get("t"))
	}))
	staff.Handle("POST /staff/lostfound/return", httpx.Endpoint(func(r *http.Request) (any, error) {
		q := r.URL.Query()
		return nil, desk.MarkReturned(r.Context(), q.Get("item"), q["claim"])
	}))
	mux.Handle("/staff/", sessions.Require()(staff))

	runner := jobs.NewRunner(log)
	runner.Register("heartbeat", jobs.Method(jobs.NewHeartbeat(base), (*jobs.Heartbeat).Beat), "*/5 * * * *")
	runner.Register("desk-board", jobs.Method(jobs.NewDeskBoard(base, log), (*jobs.DeskBoard).Publish), "*/15 * * * *")
	runner.Register("hold-reaper", jobs.Method(jobs.NewHoldReaper(base, up.Abandoned, log), (*jobs.HoldReaper).Reap), "*/5 * * * *")
	runner.Register("camp-summary", func(ctx context.Context) error {
		_, err := plots.FieldSummary(ctx)
		return err
	}, "0 * * * *")

	h := httpx.Chain(mux,
		httpx.RequestID(),
		httpx.Logging(log),
		httpx.Tenant(base, cfg.Environment),
		httpx.UnitOfWork(base, log),
		httpx.LastActivity(base, log),
	)
	return h, runner, nil
}
