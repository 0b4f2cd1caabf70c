//go:build js && wasm

// Command edge is the Wayfarer Worker: the public API, the partner API and
// the scheduled maintenance tasks.
package main

import (
	"context"
	"log"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/fetch"

	"example.com/wayfarer/internal/accounts"
	"example.com/wayfarer/internal/cmdbus"
	"example.com/wayfarer/internal/config"
	"example.com/wayfarer/internal/edge/flights"
	"example.com/wayfarer/internal/edge/holds"
	"example.com/wayfarer/internal/edge/jobs"
	"example.com/wayfarer/internal/edge/kvadapter"
	mw "example.com/wayfarer/internal/edge/middleware"
	"example.com/wayfarer/internal/edge/profile"
	"example.com/wayfarer/internal/edge/share"
	"example.com/wayfarer/internal/edge/trips"
	"example.com/wayfarer/internal/repo"
	"example.com/wayfarer/internal/storage"
)

// Binding names from wrangler.toml.
const (
	tripsBinding    = "TRIPS"
	sessionsBinding = "SESSIONS"
	cacheBinding    = "CACHE"
)

type app struct {
	handler http.Handler
	jobs    *jobs.Jobs
}

// build wires the application. It runs on the first request or cron
// event, once the runtime env is available.
func build() *app {
	cfg := config.LoadEdge(cloudflare.Getenv)
	logger := log.New(os.Stderr, "wayfarer ", 0)
	metrics := &opMetrics{ops: map[string][2]int{}}
	client := fetch.NewClient().HTTPClient(fetch.RedirectModeFollow)

	tripsKV := kvadapter.New(tripsBinding)
	sessionsKV := kvadapter.New(sessionsBinding)
	cacheKV := kvadapter.New(cacheBinding,
		kvadapter.WithCacheTTL(45*time.Second)) // DEBATABLE kvttl

	tripsStore := storage.Chain(tripsKV, storage.WithMetrics(metrics), storage.WithLogging(logger))
	sessionsStore := storage.Chain(sessionsKV, storage.WithMetrics(metrics))
	cacheStore := storage.Chain(cacheKV, storage.WithMetrics(metrics))
	loyaltyStore := storage.Chain(cacheKV, storage.WithMetrics(metrics), storage.WithLogging(logger), storage.WithPrefix("loyalty-mirror:"))

	tripsRepo := repo.NewTripRepo(tripsStore, cfg.SummaryCache())
	links := repo.NewShareLinkRepo(tripsStore)
	travellers := accounts.NewTravellerRepo(tripsStore)
	sessions := accounts.NewSessionRepo(sessionsStore, cfg.SessionIdle())
	loyaltyCfg := &repo.Config{TTL: 6 * time.Hour}
	loyalty := accounts.NewLoyaltyRepo(loyaltyStore, loyaltyCfg)
	if cfg.Environment == "staging" {
		// QA wants balance changes to show up almost immediately.
		loyaltyCfg.TTL = 10 * time.Second // EXPECT kvttl
	}

	bus := cmdbus.NewDispatcher(tripsStore, cmdbus.WithHook(func(_ context.Context, name string, d time.Duration, err error) {
		metrics.Observe("cmd."+name, d, err)
	}))

	tripsKVS := storage.NewKV(tripsStore)
	cacheKVS := storage.NewKV(cacheStore)
	authKVS := storage.NewKV(sessionsStore)
	provider := flights.HTTPProvider{Base: cfg.FlightAPIBase, APIKey: cfg.FlightAPIKey, Client: client}
	flightSvc := flights.NewService(cacheKVS, provider)
	upstream := backends{base: cfg.LoyaltyAPIBase, client: client}

	mux := http.NewServeMux()
	trips.New(tripsRepo, bus, tripsKVS, tripsKV).Register(mux)
	holds.New(tripsKVS, tripsKV, upstream, cfg).Register(mux)
	profile.New(sessions, travellers, loyalty, authKVS, cmdbus.NewDispatcher(sessionsStore), cacheKV, sessionsKV.Namespace,
		upstream, upstream, upstream, cfg, "https://wayfarer.example.com").Register(mux)
	flights.NewHandler(flightSvc, cacheKV, provider).Register(mux)
	share.New(links, tripsRepo, tripsStore, tripsKV, cfg).Register(mux)
	mux.HandleFunc("POST /partner/v1/loyalty/accrual", accrualHandler(loyalty))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })

	handler := mw.Compose(mux,
		mw.PartnerAuth(tripsKVS),
		mw.RateLimit(tripsBinding, cfg.RateLimitPerMinute),
		mw.PartnerActivity(tripsStore),
		mw.Sessions(sessions),
		mw.RequireSessionFor("/trips", "/cart", "/holds", "/quotes", "/me/"),
	)
	return &app{
		handler: handler,
		jobs:    jobs.New(tripsKVS, cacheKVS, tripsKV, flightSvc, loyalty, client, logger),
	}
}

func main() {
	get := sync.OnceValue(build)
	cron.ScheduleTaskNonBlock(func(ctx context.Context) error { return get().jobs.Run(ctx) })
	workers.Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { get().handler.ServeHTTP(w, r) }))
}
