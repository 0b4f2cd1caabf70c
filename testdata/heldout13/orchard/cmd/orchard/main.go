//go:build js && wasm

// Command orchard is the marketplace's HTTP worker and the consumer of the
// order-events queue.
package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/queues"

	"example.com/orchard/internal/cart"
	"example.com/orchard/internal/catalog"
	"example.com/orchard/internal/config"
	"example.com/orchard/internal/edge/auth"
	"example.com/orchard/internal/edge/consumer"
	"example.com/orchard/internal/edge/farms"
	"example.com/orchard/internal/edge/feeds"
	"example.com/orchard/internal/edge/inventory"
	"example.com/orchard/internal/events"
	"example.com/orchard/internal/httpapi"
	"example.com/orchard/internal/metrics"
	"example.com/orchard/internal/orders"
	"example.com/orchard/internal/platform/kvstore"
	"example.com/orchard/internal/ratelimit"
	"example.com/orchard/internal/sessions"
	"example.com/orchard/internal/store"
)

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func main() {
	cfg := must(config.Load(cloudflare.Getenv))
	log := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: cfg.Level()})).With("env", cfg.Env)

	mainKV := must(kvstore.Open(cfg.MainBinding, cfg.ReadCacheTTL))
	sessKV := must(kvstore.Open(cfg.SessionBinding, 0))
	edgeKV := must(kvstore.Open(cfg.EdgeBinding, cfg.ReadCacheTTL))
	producer := must(queues.NewProducer("ORDER_EVENTS"))

	notify := func(ctx context.Context, eventType string, o orders.Order) error {
		b, err := json.Marshal(events.Event{
			Type: eventType, OrderID: o.ID, FarmID: o.FarmID, BuyerID: o.BuyerID,
			TotalCents: o.TotalCents, At: o.UpdatedAt,
		})
		if err != nil {
			return err
		}
		return producer.SendText(string(b))
	}

	cat := catalog.New(catalog.Deps{
		Main:     mainKV,
		Edge:     edgeKV,
		Lookup:   edgeKV.Lookup(),
		Registry: catalog.HTTPRegistry{Origin: cfg.Origin, Client: http.DefaultClient},
		Policies: cfg.Policies,
		Log:      log.With("svc", "catalog"),
	})
	sm := sessions.NewManager(sessKV, store.Putter(sessKV), cfg.Policies, cfg.SessionIdle, log.With("svc", "sessions"))
	limit := ratelimit.Allow(ratelimit.Unlimited)
	if cfg.RateLimit > 0 {
		limit = ratelimit.NewLimiter(edgeKV, cfg.RateWindow, cfg.RateLimit, log.With("svc", "ratelimit"))
	}

	api := httpapi.New(httpapi.Deps{
		Catalog:  cat,
		Views:    catalog.NewViews(mainKV),
		Orders:   orders.New(mainKV, notify, cfg.Policies, log.With("svc", "orders")),
		Sessions: sm,
		Carts:    cart.New(sessKV, cfg.Policies),
		Limit:    limit,
		Metrics:  metrics.New(mainKV, log),
		Main:     mainKV,
		Edge:     edgeKV,
		After:    cloudflare.WaitUntil,
		Log:      log.With("svc", "api"),
	})
	farmer := &farmerRoutes{
		auth:  auth.New(sessKV.Namespace(), sm, mailer(must(queues.NewProducer("MAIL"))), "https://orchard.example", log),
		dir:   farms.New(edgeKV.Namespace(), log),
		stock: inventory.New(mainKV.Namespace(), log),
		log:   log.With("svc", "farmer"),
	}
	feed := feeds.New(edgeKV.Namespace(), log.With("svc", "feed"))

	proj := events.NewProjector(mainKV, log.With("svc", "projector"))
	queues.ConsumeNonBlock(consumer.New(mainKV.Namespace(), proj, 20*time.Second, log).Handle)

	workers.Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/feed":
			feed.ServeHTTP(w, r)
		case strings.HasPrefix(r.URL.Path, "/farmer/"):
			farmer.ServeHTTP(w, r)
		default:
			api.ServeHTTP(w, r)
		}
	}))
}

// mailer hands link e-mails to the mail queue's consumer.
func mailer(q *queues.Producer) auth.Mailer {
	return func(_ context.Context, to, link string) error {
		b, err := json.Marshal(struct {
			To       string `json:"to"`
			Template string `json:"template"`
			Link     string `json:"link"`
		}{to, "magic-link", link})
		if err != nil {
			return err
		}
		return q.SendText(string(b))
	}
}
