//go:build js && wasm

// Command edge is the avocet Worker: public feeds, downloads, the creator
// dashboard API, a cron trigger and the download-events queue consumer.
package main

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/queues"

	"example.com/avocet/internal/bus"
	"example.com/avocet/internal/config"
	"example.com/avocet/internal/domain"
	"example.com/avocet/internal/edge/jobs"
	"example.com/avocet/internal/edge/kvstore"
	"example.com/avocet/internal/edge/web"
	"example.com/avocet/internal/feeds"
	"example.com/avocet/internal/httpx"
	"example.com/avocet/internal/migrate"
	"example.com/avocet/internal/ops"
	"example.com/avocet/internal/presence"
	"example.com/avocet/internal/quota"
	"example.com/avocet/internal/repo"
	"example.com/avocet/internal/wizard"
)

// Preview feeds are re-rendered often while a creator edits an episode.
const previewTTL = 20 * time.Second

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: slog.LevelInfo}))

	handler, j, err := build(log)
	if err != nil {
		log.Error("start-up failed", "err", err)
		panic(err)
	}
	workers.ServeNonBlock(handler)
	cron.ScheduleTaskNonBlock(j.Scheduled)
	queues.ConsumeNonBlock(j.Consume)
	workers.Ready()
	<-workers.Done()
}

func build(log *slog.Logger) (http.Handler, *jobs.Jobs, error) {
	cfg, err := config.ParseEdge(cloudflare.Getenv("AVOCET_CONFIG"))
	if err != nil {
		return nil, nil, err
	}
	store, err := kvstore.Open("AVOCET_KV")
	if err != nil {
		return nil, nil, err
	}
	downloads, err := queues.NewProducer("DOWNLOADS")
	if err != nil {
		return nil, nil, err
	}
	mail, err := queues.NewProducer("MAIL")
	if err != nil {
		return nil, nil, err
	}

	metrics := ops.NewCounters()
	ics := []ops.Interceptor{ops.Logging(log), ops.Metrics(metrics), ops.Retry(3, 200*time.Millisecond)}
	if cfg.KeyPrefix != "" {
		// Preview deployments share the production namespace under a prefix.
		ics = append(ics, ops.Prefixing(cfg.KeyPrefix))
	}
	exec := ops.Chain(store.Exec, ics...)

	limiter, err := quota.Choose(cfg.RateLimiter, exec, cfg.RatePerMinute, time.Minute)
	if err != nil {
		return nil, nil, err
	}

	shows := repo.New[domain.Show](exec, repo.WithReadCache(5*time.Minute))
	slots := repo.New[domain.SponsorSlot](exec, repo.WithReadCache(10*time.Second))
	tokens := feeds.NewTokens(repo.New[domain.FeedToken](exec))
	now := time.Now

	wiz := &wizard.Service{
		Drafts: store.Drafts("edge", cfg.DraftLifetime.Std()),
		Now:    now,
		Publish: func(ctx context.Context, creator string, ep domain.Episode, slotIDs []string) error {
			return publishUpstream(ctx, cloudflare.Getenv("AVOCET_BACKEND"), creator, ep, slotIDs)
		},
	}

	deps := web.Deps{
		Config:     cfg,
		Log:        log,
		Store:      store,
		Exec:       exec,
		Sessions:   store.Sessions("edge"),
		Catalog:    store.Catalog(),
		Docs:       store.Documents(),
		Tokens:     store.Tokens("edge"),
		Feeds:      feeds.NewCache(exec, feeds.WithTTL(cfg.FeedCacheTTL.Std()), feeds.WithEdgeCaching(time.Minute)),
		Preview:    feeds.NewCache(exec, feeds.WithNamespace("feedcache:preview"), feeds.WithTTL(previewTTL)), // EXPECT kvttl
		FeedTokens: tokens,
		Directory:  feeds.NewDirectory(exec, cloudflare.Getenv("DIRECTORY_URL"), http.DefaultClient),
		Shows:      shows,
		Slots:      slots,
		Bus:        bus.New(),
		Limiter:    limiter,
		Presence:   presence.New(exec, cfg.PresenceEvery.Std(), log),
		Migrations: migrate.NewRunner(exec, log, migrate.Default()...),
		Wizard:     wiz,
		Downloads:  downloads,
		Mail:       mail,
		IDKey:      []byte(cloudflare.Getenv("ID_TOKEN_KEY")),
		IdP:        cloudflare.Getenv("IDP_URL"),
		Upstream:   cloudflare.Getenv("MEDIA_API"),
		BaseURL:    cloudflare.Getenv("PUBLIC_URL"),
		Now:        now,
	}
	j := &jobs.Jobs{
		Store:        store,
		Exec:         exec,
		Log:          log,
		Now:          now,
		Tokens:       deps.Tokens,
		IngestURL:    cloudflare.Getenv("AVOCET_BACKEND") + "/ingest/downloads",
		TokenURL:     deps.IdP + "/token",
		ClientSecret: cloudflare.Getenv("INGEST_CLIENT_SECRET"),
	}
	return web.Routes(deps), j, nil
}

// publishUpstream hands a finished draft to the backend, which owns episodes.
func publishUpstream(ctx context.Context, backend, creator string, ep domain.Episode, slots []string) error {
	body := httpx.JSON(map[string]any{"creator": creator, "episode": ep, "slots": slots})
	_, err := httpx.Do(ctx, http.DefaultClient, http.MethodPost, backend+"/commands/publish", body, "Content-Type", "application/json")
	return err
}
