// Command parula-bot runs the Parula Slack assistant: the socket-mode bot,
// the OAuth/dashboard HTTP server and the standup scheduler.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/parula-labs/parula/internal/bot"
	"github.com/parula-labs/parula/internal/commands"
	"github.com/parula-labs/parula/internal/events"
	"github.com/parula-labs/parula/internal/install"
	"github.com/parula-labs/parula/internal/kvstore"
	"github.com/parula-labs/parula/internal/modals"
	"github.com/parula-labs/parula/internal/quota"
	"github.com/parula-labs/parula/internal/standup"
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
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	kv, err := kvstore.Open(mustEnv("CF_API_TOKEN"), mustEnv("CF_ACCOUNT_ID"), mustEnv("PARULA_KV_NAMESPACE"), "parula-state")
	if err != nil {
		log.Error("kv", "err", err)
		os.Exit(1)
	}
	installs := install.NewRegistry(kv, mustEnv("SLACK_CLIENT_ID"), mustEnv("SLACK_CLIENT_SECRET"), mustEnv("SLACK_REDIRECT_URI"))
	standups := standup.NewStore(kv)
	meter := quota.NewMeter(kv)

	api := slack.New("", slack.OptionAppLevelToken(mustEnv("SLACK_APP_TOKEN")))
	sm := socketmode.New(api)

	var b *bot.Bot
	router := events.NewRouter(kv, installs, meter, clientsFunc(func(ctx context.Context, team string) (*slack.Client, error) {
		return b.For(ctx, team)
	}), log)
	b = bot.New(sm, commands.All(kv, standups, meter), router, &modals.Handlers{KV: kv, Standups: standups}, installs, log)
	sweeper := standup.NewSweeper(kv, standups, b, standup.ConfigFromEnv(), log)

	srv := &http.Server{
		Addr:              ":" + envOr("PORT", "8080"),
		Handler:           newWeb(kv, installs, log),
		ReadHeaderTimeout: 10 * time.Second,
	}
	go func() {
		if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("http", "err", err)
			stop()
		}
	}()
	go schedule(ctx, sweeper, meter, kv, installs, log)

	go func() {
		if err := b.Run(ctx); err != nil && ctx.Err() == nil {
			log.Error("socket mode", "err", err)
			stop()
		}
	}()
	go func() {
		if err := sm.RunContext(ctx); err != nil && ctx.Err() == nil {
			log.Error("socket mode connection", "err", err)
			stop()
		}
	}()

	<-ctx.Done()
	shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdown)
	if err := meter.Flush(shutdown); err != nil {
		log.Warn("final flush", "err", err)
	}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

type clientsFunc func(ctx context.Context, team string) (*slack.Client, error)

func (f clientsFunc) For(ctx context.Context, team string) (*slack.Client, error) {
	return f(ctx, team)
}

// schedule runs the minute-level jobs: the standup sweep, the usage flush and
// the status snapshot the edge Worker serves for "/parula status".
func schedule(ctx context.Context, sw *standup.Sweeper, meter *quota.Meter, kv *kvstore.Namespace, installs *install.Registry, log *slog.Logger) {
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			if err := sw.Run(ctx, now); err != nil && !errors.Is(err, standup.ErrBusy) {
				log.Warn("sweep", "err", err)
			}
			if err := meter.Flush(ctx); err != nil {
				log.Warn("flush", "err", err)
			}
			if now.Minute()%10 == 0 {
				publishStatus(ctx, kv, installs, log)
			}
		}
	}
}

// publishStatus writes one status document per installed team.
func publishStatus(ctx context.Context, kv *kvstore.Namespace, installs *install.Registry, log *slog.Logger) {
	err := installs.EachTeam(ctx, func(team string) error {
		doc, _ := json.Marshal(map[string]any{
			"installed": true,
			"plan":      "free",
			"checked":   time.Now().UTC().Format(time.RFC3339),
		})
		return kv.PutTTL(ctx, "status:"+team, doc, 30*time.Minute)
	})
	if err != nil {
		log.Warn("status snapshot", "err", err)
	}
}
