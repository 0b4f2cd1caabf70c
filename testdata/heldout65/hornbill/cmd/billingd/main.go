// Command billingd runs hornbill's billing backend: the Stripe webhook
// endpoint, the customer portal, the Discord bot and the Slack app.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/option"
	"github.com/stripe/stripe-go/v82"

	"github.com/hornbill-billing/hornbill/internal/billing"
	"github.com/hornbill-billing/hornbill/internal/discordbot"
	"github.com/hornbill-billing/hornbill/internal/kvstore"
	"github.com/hornbill-billing/hornbill/internal/portal"
	"github.com/hornbill-billing/hornbill/internal/slackbot"
)

func main() {
	addr := flag.String("addr", ":8080", "listen address")
	canaryEvery := flag.Duration("canary-interval", 20*time.Second, "how often the KV canary is written")
	flag.Parse()

	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	cf := cloudflare.NewClient(option.WithAPIToken(os.Getenv("CLOUDFLARE_API_TOKEN")))
	store := kvstore.New(cf, os.Getenv("CLOUDFLARE_ACCOUNT_ID"), os.Getenv("HORNBILL_KV_NAMESPACE"))
	sc := stripe.NewClient(os.Getenv("STRIPE_SECRET_KEY"))
	svc := billing.NewService(store, sc, os.Getenv("STRIPE_WEBHOOK_SECRET"), log)
	quota := billing.NewAPIQuota(store)

	mux := http.NewServeMux()
	mux.Handle("POST /webhooks/stripe", svc)
	mux.Handle("/portal/", portal.NewServer(store, svc))
	mux.HandleFunc("GET /api/entitlements/{customer}", func(w http.ResponseWriter, r *http.Request) {
		cust := r.PathValue("customer")
		quota.Hit(cust)
		ent, err := svc.Entitlements(r.Context(), cust)
		if err != nil {
			http.Error(w, "unavailable", http.StatusBadGateway)
			return
		}
		_ = json.NewEncoder(w).Encode(ent)
	})

	slackApp := slackbot.New(slackbot.Config{
		ClientID:     os.Getenv("SLACK_CLIENT_ID"),
		ClientSecret: os.Getenv("SLACK_CLIENT_SECRET"),
		RedirectURL:  os.Getenv("SLACK_REDIRECT_URL"),
		AppToken:     os.Getenv("SLACK_APP_TOKEN"),
		BotToken:     os.Getenv("SLACK_BOT_TOKEN"),
	}, store, svc, log)
	slackApp.Routes(mux)
	go func() {
		if err := slackApp.Run(ctx); err != nil && ctx.Err() == nil {
			log.Error("slack socket mode", "err", err)
		}
	}()

	dg, err := discordgo.New("Bot " + os.Getenv("DISCORD_BOT_TOKEN"))
	if err != nil {
		log.Error("discord", "err", err)
		os.Exit(1)
	}
	bot := discordbot.New(store, svc, log)
	_ = bot.Register(ctx, dg)
	if err := dg.Open(); err != nil {
		log.Error("discord open", "err", err)
		os.Exit(1)
	}
	defer dg.Close()

	if err := warmPricing(ctx, store); err != nil {
		log.Warn("warm pricing", "err", err)
	}
	go housekeeping(ctx, store, svc, quota, *canaryEvery, log)

	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = quota.Flush(shutdown)
		_ = srv.Shutdown(shutdown)
	}()
	_ = store.Put(ctx, "deploy:billingd:started", []byte(time.Now().Format(time.RFC3339)),
		30*time.Second) // EXPECT kvttl
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		log.Error("http", "err", err)
	}
}

// warmPricing publishes the pricing summary at start-up so the edge has it
// before the first request.
func warmPricing(ctx context.Context, store *kvstore.Store) error {
	ttl, err := time.ParseDuration(os.Getenv("HORNBILL_PRICING_TTL"))
	if err != nil {
		ttl = 6 * time.Hour
	}
	summary, _ := json.Marshal(map[string]any{"plans": []string{"starter", "growth", "scale"}, "at": time.Now().Unix()})
	return store.Put(ctx, "pricing:summary:json", summary, ttl) // DEBATABLE kvttl
}

// housekeeping flushes API quotas, writes the liveness canary and, on the
// first day of the month, collects last month's usage for invoicing.
func housekeeping(ctx context.Context, store *kvstore.Store, svc *billing.Service, quota *billing.APIQuota, canaryEvery time.Duration, log *slog.Logger) {
	host, _ := os.Hostname()
	canary := time.NewTicker(canaryEvery)
	flush := time.NewTicker(5 * time.Minute)
	daily := time.NewTicker(24 * time.Hour)
	defer canary.Stop()
	defer flush.Stop()
	defer daily.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-canary.C:
			ttl := max(2*canaryEvery, 10*time.Second)
			if err := store.Put(ctx, "health:canary:"+host, []byte(now.Format(time.RFC3339)), ttl); err != nil { // EXPECT kvttl
				log.Warn("canary", "err", err)
			}
		case <-flush.C:
			if err := quota.Flush(ctx); err != nil {
				log.Warn("quota flush", "err", err)
			}
		case now := <-daily.C:
			if now.Day() != 1 {
				continue
			}
			_ = store.Put(ctx, "usage:collect:last_run", []byte(now.Format(time.RFC3339)), 0)
			rows, err := svc.CollectUsage(ctx, now.AddDate(0, -1, 0).Format("2006-01"))
			if err != nil {
				log.Error("collect usage", "err", err)
				continue
			}
			log.Info("usage collected", "rows", len(rows))
		}
	}
}
