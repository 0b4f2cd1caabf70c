// Command pochard-api serves the partner and guest-portal API and drains
// the hold, confirmation and webhook queues.
package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"pochard/internal/bookings"
	"pochard/internal/cfkv"
	"pochard/internal/guest"
	"pochard/internal/httpapi"
	"pochard/internal/inventory"
	"pochard/internal/partners"
	"pochard/internal/webhooks"
	"pochard/internal/workqueue"
)

type pmsClient struct{ base string }

func (p pmsClient) Booking(ctx context.Context, id string) (bookings.Summary, error) {
	return bookings.Summary{}, bookings.ErrNoBooking
}

func mustEnv(name string) string {
	v := os.Getenv(name)
	if v == "" {
		slog.Error("missing environment variable", "name", name)
		os.Exit(2)
	}
	return v
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	api, err := cloudflare.NewWithAPIToken(mustEnv("CF_API_TOKEN"))
	if err != nil {
		slog.Error("cloudflare client", "err", err)
		os.Exit(1)
	}
	account := mustEnv("CF_ACCOUNT_ID")

	holdsNS := cfkv.NewInventoryStore(api, account, mustEnv("KV_HOLDS"))
	bookingNS := cfkv.NewBookingStore(api, account, mustEnv("KV_BOOKINGS"))
	webhookNS := cfkv.NewWebhookStore(api, account, mustEnv("KV_WEBHOOKS"))

	holds := inventory.NewService(holdsNS, 10*time.Minute)
	books := bookings.NewService(bookingNS, pmsClient{base: os.Getenv("PMS_URL")})
	partnerSvc := partners.NewService(cfkv.NewPartnerStore(api, account, mustEnv("KV_PARTNERS")))
	sessions := guest.NewSessions(cfkv.NewGuestStore(api, account, mustEnv("KV_PORTAL")))
	_ = partners.NewServer(partnerSvc)
	_ = inventory.NewServer(holds)

	counters := cfkv.NewGuestStore(api, account, mustEnv("KV_COUNTERS"))
	a := &httpapi.API{Partners: partnerSvc, Holds: holds, Bookings: books, Sessions: sessions, Counters: counters, PerIP: 120}

	queues := []*workqueue.Poller{
		{Queue: &workqueue.Memory{}, Handler: inventory.NewConsumer(holds), BatchSize: 50},
		{Queue: &workqueue.Memory{}, Handler: bookings.NewConsumer(books), BatchSize: 100},
		{Queue: &workqueue.Memory{}, Handler: webhooks.NewDispatcher(webhookNS, &http.Client{Timeout: 10 * time.Second}), BatchSize: 25, Idle: 5 * time.Second},
	}
	for _, p := range queues {
		go func() {
			if err := p.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
				slog.Error("poller stopped", "err", err)
			}
		}()
	}

	srv := &http.Server{Addr: ":8080", Handler: a.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		slog.Error("serve", "err", err)
		os.Exit(1)
	}
}
