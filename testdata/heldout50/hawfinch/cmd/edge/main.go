//go:build js && wasm

// Command edge is the TutorLoop Cloudflare Worker: sign-in, search, booking
// holds and the cart run here, in front of the origin API.
package main

import (
	"context"
	"net/http"
	"sync"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"

	"hawfinch/internal/config"
	"hawfinch/internal/edge/auth"
	"hawfinch/internal/edge/booking"
	"hawfinch/internal/edge/catalog"
	"hawfinch/internal/edge/notify"
	"hawfinch/internal/edge/ops"
	"hawfinch/internal/edge/web"
	"hawfinch/internal/edgekv"
)

const binding = "TUTOR_KV"

type app struct {
	once    sync.Once
	mux     *http.ServeMux
	initErr error
}

// setup runs on the first request, once the runtime context and the
// environment are available.
func (a *app) setup() {
	cfg, err := config.Load(cloudflare.Getenv)
	if err != nil {
		a.initErr = err
		return
	}
	root, err := edgekv.Open(binding)
	if err != nil {
		a.initErr = err
		return
	}
	origin := web.NewOrigin(cfg.APIBase)
	pub := &notify.Publisher{}
	pub.Subscribe(
		notify.AvailabilityInvalidator{Root: root},
		notify.UpcomingIndex{Root: root},
		notify.ActivityFeed{Root: root},
	)
	a.mux = http.NewServeMux()
	authSvc := auth.New(root, cfg, origin)
	authSvc.Routes(a.mux)
	booking.New(root, cfg, origin, authSvc, pub).Routes(a.mux)
	catalog.New(root, cfg, origin, authSvc).Routes(a.mux)
	a.mux.Handle("POST /internal/events", catalog.NewDispatcher(root, cloudflare.Getenv("RELAY_SECRET")))
}

func (a *app) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.once.Do(a.setup)
	if a.initErr != nil {
		http.Error(w, "worker misconfigured: "+a.initErr.Error(), http.StatusInternalServerError)
		return
	}
	a.mux.ServeHTTP(w, r)
}

func main() {
	cron.ScheduleTaskNonBlock(func(ctx context.Context) error {
		cfg, err := config.Load(cloudflare.Getenv)
		if err != nil {
			return err
		}
		root, err := edgekv.Open(binding)
		if err != nil {
			return err
		}
		t := &ops.Tasks{Root: root, Cfg: cfg, Origin: web.NewOrigin(cfg.APIBase)}
		return t.Run(ctx)
	})
	workers.Serve(&app{})
}
