// Command tickets is the box-office Worker: public event pages, seat holds,
// checkout, the nightly maintenance cron and the ticket delivery queue.
package main

import (
	"context"
	"database/sql"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	_ "github.com/syumai/workers/cloudflare/d1"
	"github.com/syumai/workers/cloudflare/queues"

	"example.com/tickets/internal/auth"
	"example.com/tickets/internal/booking"
	"example.com/tickets/internal/domain"
	"example.com/tickets/internal/events"
	"example.com/tickets/internal/httpapi"
	"example.com/tickets/internal/jobs"
	"example.com/tickets/internal/kvadapter"
	"example.com/tickets/internal/promo"
	"example.com/tickets/internal/ratelimit"
	"example.com/tickets/internal/repo"
	"example.com/tickets/internal/stats"
)

const (
	bindingPrimary   = "TICKETS_KV"
	bindingSessions  = "SESSIONS_KV"
	bindingConfig    = "CONFIG_KV"
	bindingTemplates = "TEMPLATES_KV"
	bindingDB        = "DB"
	bindingLimiterDO = "CHECKOUT_LIMITER"
	queueDelivery    = "DELIVERY_QUEUE"
)

type config struct {
	SessionTTL     time.Duration
	MaxPerCustomer int
	AdminToken     string
	MailEndpoint   string
	MailKey        string
}

func envOr(name, def string) string {
	if v := cloudflare.Getenv(name); v != "" {
		return v
	}
	return def
}

func loadConfig(log *slog.Logger) config {
	cfg := config{
		SessionTTL:     30 * 24 * time.Hour,
		MaxPerCustomer: 6,
		AdminToken:     cloudflare.Getenv("ADMIN_TOKEN"),
		MailEndpoint:   envOr("MAIL_ENDPOINT", "https://mail.internal/send"),
		MailKey:        cloudflare.Getenv("MAIL_API_KEY"),
	}
	if v := cloudflare.Getenv("SESSION_TTL"); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			cfg.SessionTTL = d
		} else {
			log.Warn("ignoring bad SESSION_TTL", "value", v, "err", err)
		}
	}
	if v := cloudflare.Getenv("MAX_PER_CUSTOMER"); v != "" {
		if n, err := strconv.Atoi(v); err == nil {
			cfg.MaxPerCustomer = n
		}
	}
	return cfg
}

type application struct {
	handler  http.Handler
	nightly  *jobs.Nightly
	delivery *jobs.Delivery
}

// The runtime env (bindings, vars) only exists once the Worker is invoked,
// so the object graph is built on first use.
var app = sync.OnceValue(func() *application {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	cfg := loadConfig(log)

	db, err := sql.Open("d1", bindingDB)
	if err != nil {
		panic(err)
	}

	primary := kvadapter.New(bindingPrimary, kvadapter.WithLogger(log))
	sessionsKV := kvadapter.New(bindingSessions,
		kvadapter.WithLogger(log),
		kvadapter.WithReadCacheTTL(10*time.Second), // EXPECT kvttl
	)
	configKV := kvadapter.New(bindingConfig,
		kvadapter.WithLogger(log),
		kvadapter.WithReadCacheTTL(5*time.Minute),
	)

	eventRepo := repo.NewRepo[domain.Event](primary, "event:", repo.WithTTL(5*time.Minute), repo.WithLogger(log))
	orderRepo := repo.NewRepo[domain.Order](primary, "order:", repo.WithLogger(log))
	holdRepo := repo.NewRepo[domain.Hold](primary, "hold:", repo.WithTTL(time.Minute), repo.WithLogger(log))
	slugRepo := repo.NewRepo[events.SlugRecord](primary, "slug:", repo.WithLogger(log))

	catalog := events.NewCatalog(db, primary, eventRepo, log)
	holds := booking.NewHoldService(holdRepo, primary, log,
		booking.WithHoldDuration(45*time.Second), // EXPECT kvttl
		booking.WithExtension(5*time.Minute),
	)
	checkout := booking.NewCheckout(booking.CheckoutConfig{MaxPerCustomer: cfg.MaxPerCustomer, Currency: "EUR"},
		catalog, orderRepo, primary, db, log)

	srv := httpapi.New(httpapi.Deps{
		Catalog:  catalog,
		Slugs:    events.NewSlugs(slugRepo),
		Holds:    holds,
		Checkout: checkout,
		Promos:   promo.NewService(configKV, log, promo.WithDefinitionCache(2*time.Minute)),
		Auth:     auth.NewService(sessionsKV, primary, auth.Config{SessionTTL: cfg.SessionTTL}, log),
		Views:    stats.NewRecorder(primary, db, log),
		KV:       primary,
		Carts:    sessionsKV,
		EnqueueTicket: func(body string) error {
			p, err := queues.NewProducer(queueDelivery)
			if err != nil {
				return err
			}
			return p.SendText(body)
		},
		PublicLimit: ratelimit.New(primary,
			ratelimit.WithPrefix("rl:public:"),
			ratelimit.WithLimit(120),
			ratelimit.WithWindow(10*time.Second), // EXPECT kvttl
			ratelimit.WithLogger(log),
		),
		LoginLimit: ratelimit.New(primary,
			ratelimit.WithPrefix("rl:login:"),
			ratelimit.WithLimit(10),
			ratelimit.WithWindow(time.Minute),
			ratelimit.WithLogger(log),
		),
		CheckoutLimit: ratelimit.NewDOLimiter(bindingLimiterDO, 20),
		KVBinding:     bindingPrimary,
		AdminToken:    cfg.AdminToken,
		Log:           log,
	})

	mailer := &jobs.HTTPMailer{Endpoint: cfg.MailEndpoint, APIKey: cfg.MailKey, Client: &http.Client{Timeout: 10 * time.Second}}
	return &application{
		handler:  srv,
		nightly:  jobs.NewNightly(bindingPrimary, db, primary, log),
		delivery: jobs.NewDelivery(primary, db, mailer, bindingTemplates, log),
	}
})

func main() {
	queues.ConsumeNonBlock(func(batch *queues.MessageBatch) error {
		return app().delivery.Consume(batch)
	})
	cron.ScheduleTaskNonBlock(func(ctx context.Context) error {
		return app().nightly.Run(ctx)
	})
	workers.Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		app().handler.ServeHTTP(w, r)
	}))
}
