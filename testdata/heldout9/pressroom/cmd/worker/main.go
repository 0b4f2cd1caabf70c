// Command worker is the pressroom Cloudflare Worker: HTTP routes, the cron
// trigger that sends scheduled campaigns, and the delivery-events consumer.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/queues"

	"example.com/pressroom/internal/archive"
	"example.com/pressroom/internal/campaigns"
	"example.com/pressroom/internal/config"
	"example.com/pressroom/internal/delivery"
	"example.com/pressroom/internal/editor"
	"example.com/pressroom/internal/keys"
	"example.com/pressroom/internal/kvx"
	"example.com/pressroom/internal/ratelimit"
	"example.com/pressroom/internal/store"
	"example.com/pressroom/internal/store/kvstore"
	"example.com/pressroom/internal/store/storemw"
	"example.com/pressroom/internal/subscribers"
	"example.com/pressroom/internal/tenants"
	"example.com/pressroom/internal/tracking"
	"example.com/pressroom/internal/web"
)

var logger = slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: slog.LevelInfo}))

// deps is the composition root. Bindings only exist inside a request, so it
// is built lazily on first use and reused by the isolate afterwards.
type deps struct {
	mainNS    *kvstore.Namespace
	stats     store.Store
	scheduler *campaigns.Scheduler
	archive   *archive.Handler
	web       web.Deps
}

var (
	app      = sync.OnceValues(build)
	counters = &storemw.MemCounters{}
)

func build() (*deps, error) {
	cfg, err := config.FromEnv(cloudflare.Getenv)
	if err != nil {
		return nil, err
	}
	mainNS, err := kvstore.Open(cfg.Namespaces.Main, kvstore.WithReadCacheTTL(5*time.Minute))
	if err != nil {
		return nil, err
	}
	sessNS, err := kvstore.Open(cfg.Namespaces.Sessions, kvstore.WithReadCacheTTL(10*time.Second)) // EXPECT kvttl
	if err != nil {
		return nil, err
	}
	statsNS, err := kvstore.Open(cfg.Namespaces.Stats)
	if err != nil {
		return nil, err
	}

	var primary store.Store = storemw.Logged{Store: storemw.Metrics(mainNS, counters), Log: logger}
	stats := storemw.ReadCache(statsNS, 30*time.Second, 512)
	mail := mailer{api{cloudflare.Getenv("MAIL_API_URL"), cloudflare.Getenv("MAIL_API_KEY")}}
	internal := api{base: "https://internal.pressroom.example"}

	d := &deps{
		mainNS:    mainNS,
		stats:     stats,
		scheduler: campaigns.NewScheduler(primary, audience{internal}, mail, cfg.Sender, logger),
		archive:   archive.New(mainNS.Raw(), cfg.Archive, internal.cms, renderIssue),
	}
	d.web = web.Deps{
		NS:        mainNS.Raw(),
		Subs:      subscribers.New(primary, mail, cfg.Signup),
		Editors:   editor.NewManager(storemw.Metrics(sessNS, counters), accounts{internal}, cfg.Sessions),
		Tenants:   tenants.New(primary),
		Scheduler: d.scheduler,
		Tracker:   tracking.New(statsNS.Raw(), stats, cfg.Tracking, logger),
		Archive:   d.archive,
		Limiter:   ratelimit.New(statsNS, "rl:subscribe:", cfg.RateLimit),
		Cookie:    cfg.Sessions.CookieName,
		Log:       logger,
		Touch:     stats.Put,
	}
	return d, nil
}

func main() {
	workers.ServeNonBlock(lazyHandler{})
	cron.ScheduleTaskNonBlock(scheduled)
	queues.ConsumeNonBlock(consume)
	workers.Ready()
	select {}
}

func scheduled(ctx context.Context) error {
	d, err := app()
	if err != nil {
		return err
	}
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	var errs []error
	if err := d.scheduler.RunDue(ctx, ev.ScheduledTime); err != nil {
		errs = append(errs, fmt.Errorf("send due campaigns: %w", err))
	}
	if ev.Cron == "0 * * * *" {
		if err := d.archive.Prewarm(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	if err := d.mainNS.Raw().PutString(keys.CronLastRun, ev.ScheduledTime.Format(time.RFC3339), nil); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func consume(batch *queues.MessageBatch) error {
	d, err := app()
	if err != nil {
		return err
	}
	ctl, err := kvx.NS("stats")
	if err != nil {
		return err
	}
	// Operators set queue:paused during provider incidents.
	if paused, _ := ctl.GetString(keys.QueuePaused, nil); paused != "" { // EXPECT kvnull
		batch.RetryAll(queues.WithRetryDelay(5 * time.Minute))
		return nil
	}
	ctx := context.Background()
	rec := delivery.NewRecorder(ctx, d.stats, logger)
	defer rec.Close()
	for _, msg := range batch.Messages {
		body, err := msg.BytesBody()
		ev, err := delivery.Decode(body)
		if err != nil {
			logger.Error("queue decode", "id", msg.ID, "err", err)
			msg.Ack()
			continue
		}
		if err := rec.Record(ctx, ev); err != nil {
			msg.Retry()
			continue
		}
		msg.Ack()
		_ = ctl.PutString("queue:last-message", msg.ID, nil) // EXPECT kvhotkey
	}
	return nil
}
