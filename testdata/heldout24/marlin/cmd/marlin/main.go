// Command marlin runs the podcast hosting API and its background jobs.
package main

import (
	"context"
	"flag"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/option"

	"example.com/marlin/internal/accounts"
	"example.com/marlin/internal/analytics"
	"example.com/marlin/internal/catalog"
	"example.com/marlin/internal/clock"
	"example.com/marlin/internal/config"
	"example.com/marlin/internal/episodes"
	"example.com/marlin/internal/feeds"
	"example.com/marlin/internal/httpapi"
	"example.com/marlin/internal/invites"
	"example.com/marlin/internal/kv"
	"example.com/marlin/internal/kv/cfkv"
	"example.com/marlin/internal/pipeline"
	"example.com/marlin/internal/ratelimit"
	"example.com/marlin/internal/scheduler"
	"example.com/marlin/internal/shows"
	"example.com/marlin/internal/tokens"
	"example.com/marlin/internal/transcripts"
)

const rendererVersion = 3

func main() {
	cfgPath := flag.String("config", os.Getenv("MARLIN_CONFIG"), "path to JSON config")
	flag.Parse()

	cfg, err := config.Load(*cfgPath)
	if err != nil {
		log.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if err := run(ctx, cfg); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, cfg config.Config) error {
	clk := clock.System{}
	client := cloudflare.NewClient(option.WithAPIToken(cfg.Cloudflare.APIToken))
	cf := cfg.Cloudflare

	cache := cfkv.New(client, cf.AccountID, cf.CacheNamespace, cfkv.WithClock(clk))
	state := cfkv.New(client, cf.AccountID, cf.StateNamespace, cfkv.WithClock(clk))
	metrics := cfkv.New(client, cf.AccountID, cf.MetricNamespace, cfkv.WithClock(clk))

	cat := catalog.NewMemory()

	showSvc := shows.New(cache, cat, shows.WithClock(clk), shows.WithCardTTL(cfg.Cache.ShowTTL))
	feedCache := feeds.New(cache, cat, clk, cfg.Cache.EmbedTTL, cfg.Cache.NegativeTTL)
	rebuilder := feeds.NewRebuilder(feedCache, cfg.Jobs.ScanPageBudget)
	publisher := episodes.NewPublisher(client, cf.AccountID, cf.CacheNamespace, cache, clk)

	loginGate := ratelimit.Chain(
		ratelimit.NewLocal(clk, cfg.Auth.LoginBudget, cfg.Auth.LoginWindow),
		ratelimit.NewGate(state, clk, "login", cfg.Auth.LoginBudget, cfg.Auth.LoginWindow),
	)
	accts := accounts.New(state, cat, clk, cfg.Auth.SessionTTL, accounts.WithLoginGate(loginGate))
	toks := tokens.New(client, cf.AccountID, cf.StateNamespace, cfg.Auth.TokenPepper, clk)
	inv := invites.New(state, clk)

	consumer := transcripts.NewConsumer(state, clk, func(ctx context.Context, episodeID string, words int) error {
		log.Printf("transcript ready for %s (%d words)", episodeID, words)
		return nil
	})

	recorder := analytics.NewRecorder(metrics, clk)
	summaries := analytics.NewSummarizer(metrics, cat, clk)
	passes := pipeline.NewPasses(cache, clk, cfg.Jobs.Workers, pipeline.Budget{Pages: cfg.Jobs.ScanPageBudget, Deadline: 2 * time.Minute}, rendererVersion)

	sched := scheduler.New()
	sched.Named("flush-downloads", cfg.Jobs.FlushInterval, recorder.Flush)
	sched.Named("daily-summary", cfg.Jobs.ReportInterval, summaries.Publish)
	sched.Named("purge-old-feeds", cfg.Jobs.CompactInterval, passes.PurgeOldFeeds)
	sched.Every(time.Hour, passes.Checkpoint)
	sched.Every(24*time.Hour, func(ctx context.Context) error { return passes.ReencodeShows(ctx, cache) })
	sched.Every(6*time.Hour, func(ctx context.Context) error {
		_, err := rebuilder.SweepArchive(ctx, func(id string) bool {
			_, err := cat.Show(ctx, id)
			return err == nil
		})
		return err
	})

	srv := &httpapi.Server{
		Shows:       showSvc,
		Feeds:       feedCache,
		Accounts:    accts,
		Tokens:      toks,
		Invites:     inv,
		Transcripts: consumer,
		Recorder:    recorder,
		Episodes:    publisher,
		Catalog:     cat,
		Clock:       clk,
		UploadGate:  ratelimit.NewGate(state, clk, "upload", 30, time.Hour),
		PutStatus:   metrics.Put,
		PublicFeed:  feedCache.PublicFeed(),
		Prefs:       state,
	}

	handler := httpapi.Stamp(metrics, clk)(srv.Routes())
	httpSrv := &http.Server{Addr: cfg.Addr, Handler: handler, ReadHeaderTimeout: 10 * time.Second}

	go sched.Run(ctx)
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		_ = httpSrv.Shutdown(shutdown)
	}()
	log.Printf("marlin listening on %s", cfg.Addr)
	if err := httpSrv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		return err
	}
	return nil
}

var _ kv.BulkGetter = (*cfkv.Store)(nil)
