//go:build js && wasm

// Command worker is the goldcrest edge Worker: customer tracking pages and
// the courier app API.
package main

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/fetch"

	"goldcrest/internal/worker/courier"
	wcron "goldcrest/internal/worker/cron"
	"goldcrest/internal/worker/tracking"
)

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(cloudflare.Getenv(name)); err == nil {
		return v
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(cloudflare.Getenv(name)); err == nil {
		return d
	}
	return def
}

// buildMux reads the environment; the runtime only exposes it while a
// request is being handled, so it runs on the first request.
func buildMux() *http.ServeMux {
	client := fetch.NewClient().HTTPClient(fetch.RedirectModeFollow)
	now := func() time.Time { return time.Now().UTC() }
	mux := http.NewServeMux()
	tracking.Register(mux, tracking.Config{
		Binding:      "TRACKING_KV",
		OriginURL:    cloudflare.Getenv("DISPATCH_URL"),
		OriginSecret: cloudflare.Getenv("DISPATCH_SECRET"),
		ViewCacheTTL: envDuration("VIEW_CACHE_TTL", 2*time.Minute),
		BeaconTTL:    envInt("BEACON_TTL_SECONDS", 7*24*3600),
		LinkLifetime: envDuration("LINK_LIFETIME", 14*24*time.Hour),
		Now:          now,
		HTTP:         client,
	})
	courier.New(courier.Config{
		Binding:          "COURIER_KV",
		DispatchURL:      cloudflare.Getenv("DISPATCH_URL"),
		DispatchSecret:   cloudflare.Getenv("DISPATCH_SECRET"),
		SessionTTL:       envDuration("SESSION_TTL", 12*time.Hour),
		MaxLoginFailures: envInt("MAX_LOGIN_FAILURES", 5),
		Now:              now,
		HTTP:             client,
	}).Register(mux)
	return mux
}

func main() {
	var (
		once sync.Once
		mux  *http.ServeMux
	)
	workers.ServeNonBlock(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() { mux = buildMux() })
		mux.ServeHTTP(w, r)
	}))
	cron.ScheduleTaskNonBlock(func(ctx context.Context) error {
		env := wcron.Env{
			TrackingBinding: "TRACKING_KV",
			CourierBinding:  "COURIER_KV",
			DispatchURL:     cloudflare.Getenv("DISPATCH_URL"),
			DispatchSecret:  cloudflare.Getenv("DISPATCH_SECRET"),
			HTTP:            fetch.NewClient().HTTPClient(fetch.RedirectModeFollow),
			Now:             time.Now,
		}
		return wcron.Run(env)(ctx)
	})
	workers.Ready()
	<-workers.Done()
}
