//go:build js && wasm

// Command lantern is the Lantern Worker: the JSON API, sign-in, public feeds
// and payment webhooks, plus the cron-triggered warm-up.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"

	"example.com/lantern/internal/analytics"
	"example.com/lantern/internal/auth"
	"example.com/lantern/internal/config"
	"example.com/lantern/internal/export"
	"example.com/lantern/internal/feed"
	"example.com/lantern/internal/httpapi"
	"example.com/lantern/internal/kvstore"
	"example.com/lantern/internal/ratelimit"
	"example.com/lantern/internal/warmup"
	"example.com/lantern/internal/webhooks"
)

// app is built per invocation: bindings only exist inside a request.
type app struct {
	cfg     *config.Config
	data    *kvstore.Namespace
	cache   *kvstore.Namespace
	api     *httpapi.Handlers
	auth    *auth.Service
	feed    *feed.Cache
	stats   *analytics.Recorder
	limiter *ratelimit.Limiter
	hooks   *webhooks.Receiver
}

func newID() string {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}

func build() (*app, error) {
	cfg, err := config.Load(cloudflare.Getenv)
	if err != nil {
		return nil, err
	}
	data, err := kvstore.Open(cfg.KVBinding, cfg.ReadCacheTTL)
	if err != nil {
		return nil, err
	}
	cache, err := kvstore.Open(cfg.CacheKVBinding, time.Hour)
	if err != nil {
		return nil, err
	}
	limits, err := kv.NewNamespace("LANTERN_LIMITS")
	if err != nil {
		return nil, err
	}
	a := &app{cfg: cfg, data: data, cache: cache}
	a.api = &httpapi.Handlers{
		Profiles:   data,
		Signups:    data,
		Sessions:   data,
		Data:       data,
		Idempotent: data,
		Export: export.Options{
			PageSize: 1500, // EXPECT kvlimits
			MaxPages: cfg.ExportMaxPages,
		},
		Config: cfg,
		NewID:  newID,
		Clock:  time.Now,
	}
	a.auth = auth.New(data.Raw(), data, cfg.Sessions)
	a.feed = feed.New(cache.Raw(), cfg.Feed)
	a.stats = analytics.New(cache.Raw())
	a.limiter = ratelimit.New(limits, cfg.Limits)
	a.hooks = &webhooks.Receiver{
		Secret:      cfg.Webhooks.Secret,
		Tolerance:   cfg.Webhooks.Tolerance,
		MaxAttempts: cfg.Webhooks.MaxAttempts,
		Seen:        data,
		State:       data,
		Apply:       a.applyPaymentEvent,
		Clock:       time.Now,
	}
	return a, nil
}

func (a *app) routes() http.Handler {
	mux := http.NewServeMux()
	a.api.Routes(mux)
	for pattern, h := range map[string]handler{
		"POST /auth/logout":               a.logout,
		"GET /auth/magic/{token}":         a.magicLink,
		"POST /me/handle":                 a.claimHandle,
		"POST /webhooks/payments":         a.paymentWebhook,
		"GET /e/{slug}":                   a.eventPage,
		"GET /feed/{tenant}/calendar.ics": a.calendar,
		"POST /api/events/{id}/checkins":  a.checkin,
		"GET /sitemap.xml":                a.sitemap,
	} {
		mux.Handle(pattern, h)
	}
	return a.limiter.Middleware(mux)
}

func main() {
	cron.ScheduleTaskNonBlock(runCron)
	workers.Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, err := build()
		if err != nil {
			log.Printf("lantern: %v", err)
			http.Error(w, "misconfigured", http.StatusInternalServerError)
			return
		}
		a.routes().ServeHTTP(w, r)
	}))
}

// runCron warms caches for the tenants listed in LANTERN_WARM_TENANTS.
func runCron(ctx context.Context) error {
	a, err := build()
	if err != nil {
		return err
	}
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	w := &warmup.Warmer{
		NS:      a.data.Raw(),
		Store:   a.data,
		Tenants: strings.Fields(cloudflare.Getenv("LANTERN_WARM_TENANTS")),
		Timeout: 5 * time.Second,
		Owner:   ev.Cron + "@" + ev.ScheduledTime.Format(time.RFC3339),
	}
	return w.Run(ctx)
}
