// Command billing runs the metering and billing API plus its background
// jobs (nightly export, dunning sweep, entitlement refresh).
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

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/option"
	"golang.org/x/sync/errgroup"

	"example.com/billing/internal/adapters/cfkv"
	"example.com/billing/internal/adapters/core"
	"example.com/billing/internal/adapters/filesink"
	"example.com/billing/internal/adapters/kvhttp"
	"example.com/billing/internal/adapters/memo"
	"example.com/billing/internal/adapters/plancache"
	"example.com/billing/internal/adapters/tracekv"
	"example.com/billing/internal/clock"
	"example.com/billing/internal/config"
	"example.com/billing/internal/coupon"
	"example.com/billing/internal/dunning"
	"example.com/billing/internal/entitlement"
	"example.com/billing/internal/export"
	"example.com/billing/internal/httpapi"
	"example.com/billing/internal/invoice"
	"example.com/billing/internal/kvstore"
	"example.com/billing/internal/portal"
	"example.com/billing/internal/quota"
	"example.com/billing/internal/ratelimit"
	"example.com/billing/internal/usage"
	"example.com/billing/internal/webhook"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	if err := run(logger); err != nil {
		logger.Error("billing exited", "err", err)
		os.Exit(1)
	}
}

func run(logger *slog.Logger) error {
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	clk := clock.System{}
	httpClient := &http.Client{Timeout: 20 * time.Second}
	cf := cloudflare.NewClient(option.WithAPIToken(cfg.APIToken), option.WithHTTPClient(httpClient))
	tracer := tracekv.SlogTracer{Log: logger.Debug}

	// KV namespaces.
	billingRaw := cfkv.New(cf, cfg.AccountID, cfg.Namespaces.Billing, cfkv.WithPageSize(cfg.ExportPageSize))
	billingKV := tracekv.Wrap(billingRaw, tracer, "billing")
	edgeRaw := cfkv.New(cf, cfg.AccountID, cfg.Namespaces.Edge)
	edgeKV := memo.Wrap(tracekv.Wrap(edgeRaw, tracer, "edge"), memo.WithTTL(cfg.EdgeMemoTTL), memo.WithClock(clk))
	sessionsKV := tracekv.Wrap(cfkv.New(cf, cfg.AccountID, cfg.Namespaces.Sessions), tracer, "sessions")
	couponsREST := kvhttp.New(httpClient, cfg.APIToken, cfg.AccountID, cfg.Namespaces.Coupons)
	billingREST := kvhttp.New(httpClient, cfg.APIToken, cfg.AccountID, cfg.Namespaces.Billing, kvhttp.WithPageSize(cfg.ExportPageSize))

	backend := &core.Client{BaseURL: os.Getenv("BILLING_CORE_URL"), HTTP: httpClient, Token: os.Getenv("BILLING_CORE_TOKEN")}

	// Domain services.
	counters := usage.NewCounters(billingKV, backend, clk, usage.WithRetention(cfg.UsageRetention))
	plans := plancache.New(backend, billingKV,
		plancache.WithTTL(cfg.PlanCacheTTL),
		plancache.WithNegativeTTL(30*time.Second), // EXPECT kvttl
	)
	quotas := quota.NewChecker(plans, counters, billingKV, clk, usage.PeriodPrefix,
		quota.WithNotifier(backend),
		quota.WithWarnThreshold(0.8),
	)

	coupons := coupon.NewService(couponsREST, clk)
	coupons.WriteBatch = func(ctx context.Context, items []coupon.Generated) error {
		out := make([]kvhttp.Item, len(items))
		for i, it := range items {
			out[i] = kvhttp.Item{Key: it.Key, Value: it.Value, TTL: it.TTL}
		}
		return couponsREST.WriteItems(ctx, out)
	}
	coupons.Scan = couponsREST.ScanPrefix

	drafts := kvstore.NewStore[invoice.Draft](billingKV,
		func(id string) string { return "invoice:draft:" + id },
		kvstore.WithDefaultPut[invoice.Draft](kvstore.WithTTL(cfg.DraftTTL)),
	)
	finals := kvstore.NewStore[invoice.Final](billingKV, func(number string) string { return "invoice:final:" + number })
	invoices := invoice.NewService(drafts, finals, billingKV, clk, coupons, backend)

	publisher := entitlement.NewPublisher(edgeKV, edgeRaw, backend, clk,
		entitlement.WithTTL(cfg.EntitlementTTL),
		entitlement.WithConcurrency(16),
	)

	portalSvc := portal.New(sessionsKV, clk,
		portal.WithSessionTTL(cfg.PortalSessionTTL),
		portal.WithMagicLinkTTL(cfg.MagicLinkTTL),
		portal.WithMailer(backend),
		portal.WithVerifier(backend.VerifyPassword),
	)

	dunningSvc := dunning.New(billingKV, billingRaw, clk, dunning.Config{
		GracePeriod: 14 * 24 * time.Hour,
		// The sweep can reach the same customer twice in a row when a
		// retry fails fast; only suppress that duplicate.
		ReminderCooldown: 30 * time.Second, // EXPECT kvttl
		MaxFailedCharges: 4,
		RetrySchedule:    []time.Duration{24 * time.Hour, 3 * 24 * time.Hour, 5 * 24 * time.Hour, 7 * 24 * time.Hour},
	}, backend, backend)

	webhooks := webhook.NewProcessor(webhook.Deps{
		Load:   billingKV.Get,
		Save:   billingKV.Put,
		Forget: billingKV.Delete,
		Clock:  clk,
		Log:    logger,
	}, cfg.IdempotencyWindow,
		webhook.WithReceiptTTL(cfg.WebhookReceiptTTL),
		webhook.WithMaxAttempts(cfg.MaxWebhookRetries),
	)
	registerWebhookHandlers(webhooks, dunningSvc, publisher, portalSvc, counters)

	limiter := ratelimit.New(billingKV, clk,
		ratelimit.WithRate(cfg.APIRatePerSecond),
		ratelimit.WithBurst(cfg.APIBurst),
	)
	ingress := ratelimit.Remote{URL: cfg.LimiterURL, Client: httpClient}

	host, _ := os.Hostname()
	exportJob := export.NewJob(billingREST, billingREST, filesink.Opener(os.Getenv("EXPORT_DIR")), clk, host,
		export.WithPrefixes(cfg.ExportPrefixes...),
		export.WithPageSize(cfg.ExportPageSize),
		export.WithLogger(logger),
	)

	handler := httpapi.Handler(httpapi.Deps{
		Usage:        counters,
		Quota:        quotas,
		Webhooks:     webhooks,
		Invoices:     invoices,
		Entitlements: publisher,
		Coupons:      coupons,
		Portal:       portalSvc,
		Dunning:      dunningSvc,
		PublicLimit:  limiter.Allow,
		WebhookLimit: ingress.Allow,
		StatsKV:      billingKV,
		Clock:        clk,
		Log:          logger,
		PlanOf:       backend.PlanOf,
	})
	srv := &http.Server{Addr: cfg.ListenAddr, Handler: handler, ReadHeaderTimeout: 10 * time.Second}

	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		logger.Info("listening", "addr", cfg.ListenAddr)
		if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	})
	g.Go(func() error {
		<-gctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		return srv.Shutdown(shutdown)
	})
	g.Go(every(gctx, cfg.ExportEvery, logger, "export", func(ctx context.Context) error {
		run, err := exportJob.Run(ctx)
		if errors.Is(err, export.ErrBusy) {
			return nil
		}
		if err == nil {
			logger.Info("export done", "keys", run.Keys, "location", run.Location)
		}
		return err
	}))
	g.Go(every(gctx, cfg.SweepEvery, logger, "dunning-sweep", func(ctx context.Context) error {
		_, err := dunningSvc.Sweep(ctx)
		return err
	}))
	g.Go(every(gctx, 10*time.Minute, logger, "entitlement-refresh", func(ctx context.Context) error {
		_, err := publisher.RefreshExpiring(ctx, 30*time.Minute)
		return err
	}))
	return g.Wait()
}

// every runs job at interval until ctx ends. Job errors are logged, not
// fatal.
func every(ctx context.Context, interval time.Duration, logger *slog.Logger, name string, job func(context.Context) error) func() error {
	return func() error {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
				if err := job(ctx); err != nil {
					logger.Error("job failed", "job", name, "err", err)
				}
			}
		}
	}
}

func registerWebhookHandlers(p *webhook.Processor, d *dunning.Service, pub *entitlement.Publisher, ps *portal.Service, counters *usage.Counters) {
	p.On("invoice.payment_failed", func(ctx context.Context, ev webhook.Event) error {
		_, err := d.RecordFailedCharge(ctx, ev.CustomerID)
		return err
	})
	p.On("invoice.paid", func(ctx context.Context, ev webhook.Event) error {
		if err := d.ChargeSucceeded(ctx, ev.CustomerID); err != nil {
			return err
		}
		return pub.Publish(ctx, ev.CustomerID)
	})
	p.On("invoice.upcoming", func(ctx context.Context, ev webhook.Event) error {
		return counters.PublishRollup(ctx, ev.CustomerID)
	})
	p.On("customer.subscription.updated", func(ctx context.Context, ev webhook.Event) error {
		return pub.Publish(ctx, ev.CustomerID)
	})
	p.On("customer.subscription.deleted", func(ctx context.Context, ev webhook.Event) error {
		if err := pub.Revoke(ctx, ev.CustomerID); err != nil {
			return err
		}
		_, err := ps.RevokeAll(ctx, ev.CustomerID)
		return err
	})
}

var _ quota.PlanSource = (*plancache.Cache)(nil)
