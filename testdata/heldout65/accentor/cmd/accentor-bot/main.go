// Command accentor-bot runs the Discord gateway bot, the Slack Socket Mode
// app and the billing HTTP endpoints in one process.
package main

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/option"
	"github.com/stripe/stripe-go/v82"

	"github.com/accentor/accentor/internal/billing"
	"github.com/accentor/accentor/internal/discordbot"
	"github.com/accentor/accentor/internal/kvstore"
	"github.com/accentor/accentor/internal/slackapp"
)

func mustEnv(name string) string {
	v := os.Getenv(name)
	if v == "" {
		slog.Error("missing environment variable", "name", name)
		os.Exit(2)
	}
	return v
}

func main() {
	seedPromos := flag.String("seed-promos", "", "write launch promo codes for the named batch and exit")
	publishPlans := flag.Bool("publish-plans", false, "publish the plan catalog and exit")
	addr := flag.String("addr", ":8080", "HTTP listen address")
	flag.Parse()

	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	cf := cloudflare.NewClient(option.WithAPIToken(mustEnv("CLOUDFLARE_API_TOKEN")))
	state := kvstore.Open(cf, mustEnv("CLOUDFLARE_ACCOUNT_ID"), mustEnv("KV_BOT_STATE_ID"))

	stripe.Key = mustEnv("STRIPE_SECRET_KEY")
	bill := billing.NewService(state, mustEnv("STRIPE_WEBHOOK_SECRET"), mustEnv("PUBLIC_URL"), log)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	switch {
	case *seedPromos != "":
		if err := bill.SeedLaunchCodes(ctx, *seedPromos); err != nil {
			log.Error("seed promos", "err", err)
			os.Exit(1)
		}
		return
	case *publishPlans:
		if err := bill.PublishPlans(ctx); err != nil {
			log.Error("publish plans", "err", err)
			os.Exit(1)
		}
		return
	}

	bot, err := discordbot.New(discordbot.Config{
		Token:         mustEnv("DISCORD_BOT_TOKEN"),
		ApplicationID: mustEnv("DISCORD_APPLICATION_ID"),
		State:         state,
		Logger:        log.With("component", "discord"),
	})
	if err != nil {
		log.Error("discord", "err", err)
		os.Exit(1)
	}
	if err := bot.Open(); err != nil {
		log.Error("discord open", "err", err)
		os.Exit(1)
	}
	defer bot.Close()

	oauth := slackapp.OAuthConfig{
		ClientID:     mustEnv("SLACK_CLIENT_ID"),
		ClientSecret: mustEnv("SLACK_CLIENT_SECRET"),
		RedirectURL:  mustEnv("PUBLIC_URL") + "/slack/oauth/callback",
		HomeTeamID:   mustEnv("SLACK_HOME_TEAM_ID"),
		Scopes:       "commands,chat:write,app_mentions:read",
	}
	app := slackapp.New(state, mustEnv("SLACK_APP_TOKEN"), mustEnv("SLACK_BOT_TOKEN"), oauth, log.With("component", "slack"))
	go func() {
		if err := app.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			log.Error("slack", "err", err)
		}
	}()

	mux := http.NewServeMux()
	bill.Routes(mux)
	installs := app.Installations()
	mux.Handle("GET /slack/install", installs.InstallHandler())
	mux.Handle("GET /slack/oauth/callback", installs.CallbackHandler())
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })

	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdownCtx)
	}()
	log.Info("listening", "addr", *addr)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("http", "err", err)
		os.Exit(1)
	}
}
