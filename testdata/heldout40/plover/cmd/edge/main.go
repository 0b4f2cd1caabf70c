//go:build js && wasm

// Command edge is the plover Worker. It serves the runner and dashboard RPC
// endpoint, badges and cache downloads, and runs the maintenance cron.
package main

import (
	"context"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"

	"plover/internal/edgekv"
	"plover/internal/enc"
	"plover/internal/worker/api"
	"plover/internal/worker/apikeys"
	"plover/internal/worker/badges"
	"plover/internal/worker/buildcache"
	"plover/internal/worker/limits"
	"plover/internal/worker/runners"
)

// server is the isolate's single API server, built in main.
var server *api.Server

func retention() time.Duration {
	d, err := time.ParseDuration(cloudflare.Getenv("CACHE_RETENTION"))
	if err != nil || d <= 0 {
		return 14 * 24 * time.Hour
	}
	return d
}

func build() (srv *api.Server, err error) {
	defer enc.Recover(&err)

	auth := enc.Must(edgekv.Open("AUTH"))
	meta := enc.Must(edgekv.Open("META"))
	cache := enc.Must(edgekv.Open("CACHE"))
	badgeStore := enc.Must(edgekv.Open("BADGES"))
	lim := enc.Must(limits.Default())

	return &api.Server{
		Auth:    auth,
		Meta:    meta,
		Runners: runners.New(auth),
		Keys:    apikeys.New(auth, cloudflare.Getenv("CONTROL_PLANE_URL")),
		Cache:   buildcache.New(cache, retention()),
		Badges:  badges.New(badgeStore),
		Limits:  lim,
	}, nil
}

func main() {
	log.SetOutput(os.Stderr)
	cron.ScheduleTaskNonBlock(func(ctx context.Context) error {
		if server == nil {
			srv, err := build()
			if err != nil {
				return err
			}
			server = srv
		}
		ev, err := cron.NewEvent(ctx)
		if err != nil {
			return err
		}
		return server.Scheduled(ctx, ev.ScheduledTime)
	})
	workers.Serve(handler{})
}

// handler builds the server on the first request, when the bindings of the
// runtime context are available.
type handler struct{}

func (handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if server == nil {
		srv, err := build()
		if err != nil {
			log.Printf("edge: init: %v", err)
			http.Error(w, "service unavailable", http.StatusServiceUnavailable)
			return
		}
		server = srv
	}
	server.ServeHTTP(w, r)
}
