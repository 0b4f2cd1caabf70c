//go:build js && wasm

// Command worker is the box office Worker: the storefront and organiser
// API, door check-in, the venue page cache and the scheduled jobs.
package main

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/fetch"

	"example.com/boxoffice/internal/admin"
	"example.com/boxoffice/internal/audit"
	"example.com/boxoffice/internal/auth"
	"example.com/boxoffice/internal/checkin"
	"example.com/boxoffice/internal/config"
	"example.com/boxoffice/internal/cronjobs"
	"example.com/boxoffice/internal/events"
	"example.com/boxoffice/internal/holds"
	"example.com/boxoffice/internal/httpx"
	"example.com/boxoffice/internal/origin"
	"example.com/boxoffice/internal/promo"
	"example.com/boxoffice/internal/ratelimit"
	"example.com/boxoffice/internal/retry"
	"example.com/boxoffice/internal/storage"
	"example.com/boxoffice/internal/storage/decorate"
	"example.com/boxoffice/internal/storage/kvstore"
	"example.com/boxoffice/internal/venue"
	"example.com/boxoffice/internal/waitlist"
)

type app struct {
	once    sync.Once
	initErr error
	log     *slog.Logger

	cfg      config.Config
	router   *httpx.Router
	catalog  *events.Catalog
	holds    *holds.Service
	waitlist *waitlist.Service
	promos   *promo.Service
	auth     *auth.Service
	jobs     *cronjobs.Jobs
}

func main() {
	a := &app{log: slog.New(slog.NewJSONHandler(os.Stdout, nil))}
	workers.ServeNonBlock(http.HandlerFunc(a.serve))
	cron.ScheduleTaskNonBlock(a.scheduled)
	workers.Ready()
	<-workers.Done()
}

// init wires the app on first use; the runtime env is only readable while
// an event is being handled.
func (a *app) init() error {
	a.once.Do(func() { a.initErr = a.build() })
	return a.initErr
}

func (a *app) serve(w http.ResponseWriter, r *http.Request) {
	if err := a.init(); err != nil {
		a.log.Error("startup failed", "err", err)
		http.Error(w, "service unavailable", http.StatusServiceUnavailable)
		return
	}
	a.router.ServeHTTP(w, r)
}

func (a *app) scheduled(ctx context.Context) error {
	if err := a.init(); err != nil {
		return err
	}
	if ev, err := cron.NewEvent(ctx); err == nil {
		a.log.Info("cron run", "schedule", ev.Cron, "scheduled", ev.ScheduledTime)
	}
	ctx, cancel := context.WithTimeout(ctx, 25*time.Second)
	defer cancel()
	return a.jobs.Run(ctx)
}

// layered wraps a KV adapter in the standard decorators.
func (a *app) layered(binding string, opts ...kvstore.Option) storage.Store {
	var s storage.Store = kvstore.New(binding, opts...)
	s = decorate.Logging(s, a.log)
	s = decorate.Timeout(s, 5*time.Second)
	return decorate.Retry(s, retry.Policy{Attempts: 3, Base: 40 * time.Millisecond, Max: 400 * time.Millisecond})
}

func (a *app) build() error {
	cfg, err := config.Load(cloudflare.Getenv)
	if err != nil {
		return err
	}
	a.cfg = cfg
	data := a.layered(cfg.KVBinding)
	creds := a.layered(cfg.SessionsBinding, kvstore.WithCacheTTL(30))
	dataOps := bindOps(cfg.KVBinding, 0)
	keyOps := bindOps(cfg.SessionsBinding, int(cfg.APIKeyCacheTTL.Seconds()))

	hc := fetch.NewClient().HTTPClient(fetch.RedirectModeFollow)
	src, err := origin.New(cfg.OriginURL, hc)
	if err != nil {
		return err
	}
	a.catalog = events.NewCatalog(data, src, cfg.IndexTTL)
	a.holds = holds.New(data, cfg)
	a.waitlist = waitlist.New(data, cfg.WaitlistOfferTTL)
	a.promos = promo.New(data)
	a.auth = auth.New(creds, keyOps, &originMailer{base: cfg.OriginURL, hc: hc}, cfg)
	a.jobs = cronjobs.New(data, a.catalog, cfg.KVBinding, cfg, a.log)
	rec := audit.New(dataOps, a.log)
	venues := venue.New(data, src, cfg.KVBinding, cfg.VenueCacheTTL, a.log)
	scanner := checkin.New(cfg.KVBinding, a.log)
	staff := admin.New(cfg.KVBinding, cfg.SessionsBinding, cfg.AdminToken, a.auth, a.catalog, a.log)

	public := []httpx.Middleware{
		ratelimit.Respond,
		ratelimit.PerIP(cfg.KVBinding, cfg.Limits.PerIP, cfg.Limits.PerIPWindow),
	}
	integration := slices.Concat(public, []httpx.Middleware{a.auth.RequireAPIKey()})
	organiser := slices.Concat(public, []httpx.Middleware{
		a.auth.RequireSession(),
		ratelimit.PerAccount(dataOps, cfg.Limits.PerAccount, cfg.Limits.AccountTTLSeconds),
		rec.Middleware(),
	})

	rt := httpx.NewRouter(a.log)
	rt.HandlePrefix(http.MethodGet, "/venues/", httpx.Chain(venues.Page, public...))
	rt.HandlePrefix(http.MethodGet, "/charts/", httpx.Chain(venues.Chart, public...))
	rt.Handle(http.MethodGet, "/events", httpx.Chain(a.jobs.ServeIndex, public...))
	rt.Handle(http.MethodPost, "/checkout", httpx.Chain(a.checkout, integration...))
	rt.Handle(http.MethodPost, "/checkin", httpx.Chain(scanner.ServeOp, integration...))
	for route, h := range a.auth.Handlers() {
		register(rt, route, httpx.Chain(h, public...))
	}
	for route, h := range a.organiserRoutes() {
		register(rt, route, httpx.Chain(h, organiser...))
	}
	for route, h := range staff.Routes() {
		register(rt, route, httpx.Chain(h, staff.RequireStaff))
	}
	a.router = rt
	return nil
}
