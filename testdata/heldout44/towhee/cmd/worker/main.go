//go:build js && wasm

// Command worker is the Towhee edge Worker: the public HTTP API, the cron
// triggers and the queue consumers, in one program.
package main

import (
	"context"
	"log"
	"net/http"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/fetch"
	"github.com/syumai/workers/cloudflare/queues"

	"github.com/riverside-libraries/towhee/internal/catalog"
	"github.com/riverside-libraries/towhee/internal/config"
	"github.com/riverside-libraries/towhee/internal/ebooks"
	"github.com/riverside-libraries/towhee/internal/hours"
	"github.com/riverside-libraries/towhee/internal/origin"
	"github.com/riverside-libraries/towhee/internal/patron"
	"github.com/riverside-libraries/towhee/internal/reminders"
)

const (
	cacheBinding   = "TOWHEE_CACHE"
	patronBinding  = "TOWHEE_PATRONS"
	lendingBinding = "TOWHEE_LENDING"
)

var views = catalog.NewViewTally()

func loadConfig() config.Config {
	cfg, err := config.Load(cloudflare.Getenv)
	if err != nil {
		log.Printf("config: %v; using defaults", err)
		return config.Defaults()
	}
	return cfg
}

func ils() origin.ILS {
	return origin.ILS{
		Base: cloudflare.Getenv("ILS_BASE_URL"),
		HTTP: fetch.NewClient().HTTPClient(fetch.RedirectModeFollow),
	}
}

// routes builds the mux per request: bindings and variables are only
// reachable while a request is in flight.
func routes() *http.ServeMux {
	cfg := loadConfig()
	mux := http.NewServeMux()
	catalog.Handler{Binding: cacheBinding, Cfg: cfg, ILS: ils(), Views: views}.Register(mux)
	hours.Handler{Binding: cacheBinding, Cfg: cfg, ILS: ils()}.Register(mux)
	patron.Handler{Binding: patronBinding, Cfg: cfg, Pepper: cloudflare.Getenv("PIN_PEPPER")}.Register(mux)

	lend := ebooks.Service{Binding: lendingBinding, Cfg: cfg, Period: 14 * 24 * time.Hour}
	if p, err := time.ParseDuration(cloudflare.Getenv("EBOOK_PERIOD")); err == nil && p > 0 {
		lend.Period = p
	}
	lend.Register(mux)

	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("ok"))
	})
	return mux
}

func scheduled(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	cfg := loadConfig()
	if ev.Cron == "0 3 * * 1" {
		return hours.Refresher{Binding: cacheBinding, Cfg: cfg, ILS: ils()}.Run(ctx)
	}
	scan := reminders.Scanner{Binding: lendingBinding, Cfg: cfg}
	if err := scan.Run(ctx); err != nil {
		return err
	}
	return scan.Sweep(ctx)
}

func consume(batch *queues.MessageBatch) error {
	if batch.Queue == catalog.SearchEvents {
		return catalog.ConsumeSearchEvents(cacheBinding, batch)
	}
	snooze, _ := time.ParseDuration(cloudflare.Getenv("REMINDER_SNOOZE"))
	s := reminders.Sender{
		Binding: lendingBinding,
		Mail:    cloudflare.Getenv("MAIL_API_URL"),
		HTTP:    fetch.NewClient().HTTPClient(fetch.RedirectModeFollow),
		Snooze:  snooze,
	}
	return s.Consume(batch)
}

func main() {
	queues.ConsumeNonBlock(consume)
	cron.ScheduleTaskNonBlock(scheduled)
	workers.ServeNonBlock(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		routes().ServeHTTP(w, r)
	}))
	workers.Ready()
	<-workers.Done()
}
