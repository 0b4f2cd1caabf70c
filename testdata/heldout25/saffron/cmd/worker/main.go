//go:build js && wasm

// Command worker is the Saffron edge worker: guest-facing reservation and
// pickup APIs plus the scheduled maintenance tasks.
package main

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"

	"example.com/saffron/internal/config"
	"example.com/saffron/internal/edge/codes"
	"example.com/saffron/internal/edge/cronjobs"
	"example.com/saffron/internal/edge/guest"
	"example.com/saffron/internal/edge/httpapi"
	"example.com/saffron/internal/edge/kvstore"
	"example.com/saffron/internal/edge/menu"
	"example.com/saffron/internal/edge/middleware"
	"example.com/saffron/internal/edge/orders"
	"example.com/saffron/internal/edge/slots"
	"example.com/saffron/internal/edge/waitlist"
	"example.com/saffron/internal/sms"
)

func mustNamespace(binding string) *kv.Namespace {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		panic(err)
	}
	return ns
}

func main() {
	cfg := config.Default().FromEnv(cloudflare.Getenv)
	config.Publish(cfg)
	live := config.Current()

	data := mustNamespace("SAFFRON_KV")
	sessions := mustNamespace("SESSIONS_KV")

	blob := kvstore.New(data)
	catalog := kvstore.New(data, kvstore.WithCacheTTL(15*time.Second)) // EXPECT kvttl
	sessionBlob := kvstore.New(sessions, kvstore.WithPrefix("v2/"))

	guest.Init(sessionBlob, live.Cache.Sessions)
	menu.Init(data, cloudflare.Getenv("ORIGIN_URL"))

	sender := sms.NewTwilio(cloudflare.Getenv("SMS_ACCOUNT"), cloudflare.Getenv("SMS_TOKEN"), cloudflare.Getenv("SMS_FROM"))
	api := &httpapi.API{
		Codes:    codes.NewService(blob, sender, live.Codes, cloudflare.Getenv("CODE_PEPPER")),
		Slots:    slots.NewService(catalog, data, live),
		Orders:   orders.NewService(blob, data, orders.PricerFunc(menu.Item)),
		Waitlist: waitlist.New(blob, waitlist.Options{EntryTTL: 8 * time.Hour, PageLimit: 100}),
		NS:       data,
	}

	mux := http.NewServeMux()
	api.Public().Mount(mux, nil)
	api.Private().Mount(mux, guest.Require)

	activity := middleware.NewActivity(blob)
	authLimit := middleware.RateLimit(data, "auth", func(c *config.Config) config.Window { return c.Limits.SMS })
	handler := middleware.Chain(mux,
		middleware.Recover,
		middleware.RequestID,
		middleware.Maintenance(data),
		activity.Wrap,
		func(next http.Handler) http.Handler {
			limited := authLimit(next)
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasPrefix(r.URL.Path, "/v1/auth/") {
					limited.ServeHTTP(w, r)
					return
				}
				next.ServeHTTP(w, r)
			})
		},
	)

	venues := strings.Split(cloudflare.Getenv("VENUES"), ",")
	runner := cronjobs.NewRunner(data, venues, live.Reports)
	cron.ScheduleTaskNonBlock(func(ctx context.Context) error {
		if err := runner.Task(ctx); err != nil {
			return err
		}
		return runner.Heartbeat(time.Now())
	})
	workers.Serve(handler)
}
