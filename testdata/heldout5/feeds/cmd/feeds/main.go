// Command feeds runs the content-ingestion backend: the crawler, the
// publishing jobs and the HTTP APIs, all writing to Workers KV for the edge
// site.
package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	cfv0 "github.com/cloudflare/cloudflare-go"
	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/option"
	"golang.org/x/sync/errgroup"

	"example.com/feeds/internal/adapters/cloudkv"
	"example.com/feeds/internal/adapters/legacykv"
	"example.com/feeds/internal/adapters/retrykv"
	"example.com/feeds/internal/articles"
	"example.com/feeds/internal/config"
	"example.com/feeds/internal/crawler"
	"example.com/feeds/internal/editorial"
	"example.com/feeds/internal/httpapi"
	"example.com/feeds/internal/ingest"
	"example.com/feeds/internal/metrics"
	"example.com/feeds/internal/previews"
	"example.com/feeds/internal/purge"
	"example.com/feeds/internal/reconcile"
	"example.com/feeds/internal/sitemap"
	"example.com/feeds/internal/source/pgstore"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	if err := run(log); err != nil && !errors.Is(err, context.Canceled) {
		log.Error("exiting", "err", err)
		os.Exit(1)
	}
}

func run(log *slog.Logger) error {
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	// KV adapters. The SDK's own retries are off; retrykv handles 429s with
	// backoff that knows about the per-key write limit.
	client := cloudflare.NewClient(option.WithAPIToken(cfg.APIToken), option.WithMaxRetries(0))
	retry := func(n *cloudkv.Store) *retrykv.Store {
		return retrykv.Wrap(n, retrykv.WithAttempts(cfg.KVMaxAttempts), retrykv.WithRetryHook(func(op, key string, attempt int, err error) {
			log.Debug("kv retry", "op", op, "key", key, "attempt", attempt, "err", err)
		}))
	}
	namespace := func(id string) *retrykv.Store {
		return retry(cloudkv.New(client, cfg.AccountID, id, cloudkv.WithLogger(log)))
	}
	content := namespace(cfg.ContentNamespace)
	state := namespace(cfg.StateNamespace)
	metricsNS := namespace(cfg.MetricsNamespace)
	sessionsNS := namespace(cfg.SessionsNamespace)

	legacyAPI, err := cfv0.NewWithAPIToken(cfg.APIToken, cfv0.UsingRetryPolicy(3, 1, 10))
	if err != nil {
		return err
	}
	previewsNS := legacykv.New(legacyAPI, cfg.AccountID, cfg.PreviewsNamespace)
	edgeCache := legacykv.New(legacyAPI, cfg.AccountID, cfg.EdgeCacheNamespace)

	db, err := pgstore.Open(cfg.DatabaseDriver, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()

	// Publishing pipeline.
	index := articles.NewIndexPages(content, db, articles.WithIndexTTL(cfg.IndexTTL), articles.WithPageSize(40))
	slugs := articles.NewSlugs(content, db, 7*24*time.Hour)
	publisher := articles.NewPublisher(articles.PublisherConfig{
		Store:     content,
		DB:        db,
		Index:     index,
		Tags:      articles.NewTaxonomy(content),
		Slugs:     slugs,
		TeaserTTL: cfg.TeaserTTL,
		BannerFor: 30 * time.Minute,
		Logger:    log,
	})

	host, _ := os.Hostname()
	crawl := crawler.New(state,
		crawler.HTTPFetcher{Client: &http.Client{Timeout: cfg.FetchTimeout}, UserAgent: "feeds-crawler/2.3"},
		publisher,
		crawler.WithWorkers(cfg.CrawlWorkers),
		crawler.WithInterval(cfg.CrawlInterval),
		crawler.WithLeaseTTL(30*time.Second), // EXPECT kvttl
		crawler.WithInstanceID(host),
		crawler.WithLogger(log),
	)
	registry := crawler.NewRegistry(state)

	// Newsroom.
	sessions := editorial.NewSessions(sessionsNS, cfg.SessionTTL)
	magic := editorial.NewMagicLinks(sessionsNS, sessions, cfg.MagicLinkTTL)
	locks := editorial.NewLocks(state, cfg.LockTTL)
	pv := previews.New(retrykv.Wrap(previewsNS), previews.Config{
		TokenTTL: cfg.PreviewTTL,
		// One-time links are opened straight from the CMS "share preview"
		// dialog, so they only need to survive the hand-off.
		OneTimeLinkTTL: 40 * time.Second, // EXPECT kvttl
		DailyQuota:     300,
	})

	// Publisher push API.
	limiter := ingest.NewLimiter(state,
		ingest.WithLimit(60),
		ingest.WithWindow(30*time.Second), // EXPECT kvttl
	)
	webhook := ingest.NewWebhook(state, limiter, publisher.Ingest)
	tokens := ingest.NewTokens(sessionsNS, []byte(os.Getenv("FEEDS_TOKEN_SECRET")))
	connect := ingest.NewConnect(state, os.Getenv("FEEDS_OAUTH_AUTHORIZE_URL"), os.Getenv("FEEDS_OAUTH_CLIENT_ID"))

	// Reader metrics and background jobs.
	views := metrics.NewViews(metricsNS)
	mostRead := metrics.NewBuilder(metricsNS, content, db,
		metrics.WithListTTL(cfg.MostReadTTL),
		metrics.WithSchedule(cfg.MostReadEvery),
		metrics.WithScanPages(10),
	)
	maps := sitemap.New(sitemap.Deps{Keys: content.Keys, List: content.List, Get: content.Get, Put: content.Put}, cfg.PublicBaseURL)
	purger := purge.New(retrykv.Wrap(edgeCache), edgeCache.ListAll, 8)
	recon := reconcile.New(content, db, reconcile.WithLogger(log), reconcile.WithMaxPages(20))

	handler := httpapi.New(httpapi.Deps{
		Sessions:  sessions,
		Magic:     magic,
		Locks:     locks,
		Slugs:     slugs,
		Previews:  pv,
		Webhook:   webhook,
		Tokens:    tokens,
		Connect:   connect,
		Views:     views,
		Clicks:    metrics.NewClicks(metricsNS),
		Shares:    metrics.NewShares(db, content),
		Registry:  registry,
		Purge:     purger,
		Reconcile: recon,
		StateKeys: state.List,
		SendMail: func(ctx context.Context, to, subject, body string) error {
			log.Info("mail", "to", to, "subject", subject)
			return nil
		},
		Logger: log,
	})
	srv := &http.Server{Addr: cfg.ListenAddr, Handler: handler, ReadHeaderTimeout: 10 * time.Second}

	sections := []string{"news", "business", "sport", "culture", "breaking"}
	live := map[string]bool{}
	for _, s := range sections {
		live[s] = true
	}

	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		err := srv.ListenAndServe()
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	})
	g.Go(func() error {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		return srv.Shutdown(shutdown)
	})
	g.Go(every(ctx, log, "crawl", cfg.CrawlInterval, func(ctx context.Context) error {
		feeds, err := db.ActiveFeeds(ctx)
		if err != nil {
			return err
		}
		extra, err := registry.List(ctx)
		if err != nil {
			return err
		}
		return crawl.RunOnce(ctx, append(feeds, extra...))
	}))
	g.Go(every(ctx, log, "index", 30*time.Minute, func(ctx context.Context) error {
		var errs []error
		for _, s := range sections {
			errs = append(errs, index.Rebuild(ctx, s))
		}
		return errors.Join(errs...)
	}))
	g.Go(every(ctx, log, "mostread", cfg.MostReadEvery, func(ctx context.Context) error {
		return errors.Join(mostRead.Build(ctx), mostRead.BuildSections(ctx, sections))
	}))
	g.Go(every(ctx, log, "sitemap", cfg.SitemapEvery, func(ctx context.Context) error {
		return errors.Join(maps.Build(ctx), maps.BuildNews(ctx, 3))
	}))
	g.Go(every(ctx, log, "reconcile", cfg.ReconcileAt, func(ctx context.Context) error {
		rep, err := recon.Run(ctx)
		log.Info("reconcile", "checked", rep.Checked, "republished", rep.Republished, "removed", rep.Removed)
		if err != nil {
			return err
		}
		if _, err := recon.Verify(ctx); err != nil {
			return err
		}
		_, err = recon.SweepIndexes(ctx, live)
		return err
	}))
	var hashCursor string
	g.Go(every(ctx, log, "verify-hashes", time.Hour, func(ctx context.Context) error {
		next, _, err := recon.VerifyHashes(ctx, hashCursor)
		hashCursor = next
		return err
	}))
	var staleCursor string
	g.Go(every(ctx, log, "purge-stale", 6*time.Hour, func(ctx context.Context) error {
		next, n, err := purger.PurgeStale(ctx, os.Getenv("FEEDS_TEMPLATE_VERSION"), staleCursor, 25)
		staleCursor = next
		log.Info("purged stale renders", "n", n)
		return err
	}))
	return g.Wait()
}

// every runs fn at the given interval until ctx ends. Failures are logged;
// a job never takes the process down.
func every(ctx context.Context, log *slog.Logger, name string, d time.Duration, fn func(context.Context) error) func() error {
	return func() error {
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			if err := fn(ctx); err != nil && ctx.Err() == nil {
				log.Warn("job failed", "job", name, "err", err)
			}
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
			}
		}
	}
}
