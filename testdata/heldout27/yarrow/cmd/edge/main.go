//go:build js && wasm

// Command edge is the marketplace's Cloudflare Worker: the customer and
// kitchen API, the courier ingest endpoint, the cron trigger and the queue
// consumer.
package main

import (
	"log"
	"net/http"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/queues"

	"example.com/yarrow/internal/edge/auth"
	"example.com/yarrow/internal/edge/cart"
	"example.com/yarrow/internal/edge/checkout"
	"example.com/yarrow/internal/edge/courier"
	"example.com/yarrow/internal/edge/httpapi"
	"example.com/yarrow/internal/edge/jobs"
	"example.com/yarrow/internal/edge/kds"
	"example.com/yarrow/internal/edge/menu"
	"example.com/yarrow/internal/edge/promo"
	"example.com/yarrow/internal/edge/settings"
	"example.com/yarrow/internal/edge/tracking"
)

func main() {
	cfg, err := ProvideConfig()
	if err != nil {
		log.Fatal(err)
	}
	clock := systemClock{}

	menuStore, cleanup, err := ProvideStore(cfg)
	if err != nil {
		log.Fatal(err)
	}
	kitchenStore := ProvideKitchenStore(cfg)
	trackingStore := ProvideTrackingStore(cfg)
	cartStore := ProvideCartStore(cfg)
	sessionStore := ProvideSessionStore(cfg)
	promoStore := ProvidePromoStore(cfg)
	settingsStore := ProvideSettingsStore(cfg)

	origin, err := menu.NewHTTPOrigin(cfg.PublicBaseURL+"/internal", "")
	if err != nil {
		log.Fatal(err)
	}
	menus := menu.ProvideService(menuStore, origin, clock, cfg)
	carts := cart.ProvideService(cartStore, menus, clock, cfg)
	promos := promo.ProvideService(promoStore, clock)
	sessions := auth.ProvideSessions(sessionStore, clock, cfg)
	links := auth.ProvideLinks(cfg, sessions, clock)
	track := tracking.ProvideService(trackingStore, clock, cfg, ProvideTrackingHook(kitchenStore))
	kitchen := kds.ProvideService(kitchenStore, clock)
	set := settings.ProvideService(settingsStore)
	orders := checkout.ProvideService(cartStore, carts, menus, promos, track, clock)
	api := httpapi.ProvideAPI(menus, carts, orders, sessions, links, mailer{endpoint: cfg.PublicBaseURL + "/internal/mail"},
		track, kitchen, set, sessionStore, cfg.RequestsPerMinute)

	tracker := courier.ProvideTracker(cfg, clock)
	runner := jobs.ProvideRunner(cfg, menuStore, tracker, kitchen, clock)

	mux := http.NewServeMux()
	mux.HandleFunc("/courier/ping", tracker.HandlePing)
	mux.Handle("/", api.Routes())

	workers.ServeNonBlock(mux)
	cron.ScheduleTaskNonBlock(runner.Scheduled)
	queues.ConsumeNonBlock(runner.Consume)
	workers.Ready()
	<-workers.Done()
	cleanup()
}
