// Command storefront runs the storefront API, the order event consumer and
// the background jobs in one process.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/option"

	"example.com/storefront/internal/auth"
	"example.com/storefront/internal/cart"
	"example.com/storefront/internal/catalog"
	"example.com/storefront/internal/checkout"
	"example.com/storefront/internal/config"
	"example.com/storefront/internal/coupon"
	"example.com/storefront/internal/httpapi"
	"example.com/storefront/internal/inventory"
	"example.com/storefront/internal/jobs"
	"example.com/storefront/internal/kvrest"
	"example.com/storefront/internal/kvstore"
	"example.com/storefront/internal/kvstore/cached"
	"example.com/storefront/internal/kvstore/cfkv"
	"example.com/storefront/internal/kvstore/instrument"
	"example.com/storefront/internal/orders"
	"example.com/storefront/internal/ratelimit"
	"example.com/storefront/internal/search"
)

func main() {
	prewarm := flag.Bool("prewarm", false, "write suggestion placeholders after a deploy")
	flag.Parse()
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	cfg, err := config.Load()
	if err != nil {
		log.Error("config", "err", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, log, *prewarm); err != nil && !errors.Is(err, context.Canceled) {
		log.Error("exit", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cfg config.Config, log *slog.Logger, prewarm bool) error {
	cf := cloudflare.NewClient(option.WithAPIToken(cfg.Cloudflare.APIToken), option.WithMaxRetries(2))
	acct := cfg.Cloudflare.AccountID

	var store kvstore.Store = cfkv.New(cf, acct, cfg.Cloudflare.NamespaceID)
	store = instrument.Wrap(store, log, nil)
	store = cached.Wrap(store, 20*time.Second, "couponrules:", "ratelimit:policy", "shipzone:")

	bo := backoffice{base: os.Getenv("BACKOFFICE_URL"), hc: &http.Client{Timeout: 5 * time.Second}, log: log}
	kvHTTP := kvrest.NewHTTPClient(cfg.Cloudflare.APIToken)

	carts := cart.NewService(store, cfg.Cart)
	sessions := checkout.NewSessions(store, cfg.Checkout)
	orderSvc := orders.New(store, cfg.Orders)
	suggest := search.New(kvrest.New(kvHTTP, acct, cfg.Cloudflare.EdgeNSID), bo, cfg.Search)
	publisher := catalog.NewPublisher(cf, cfg, log)

	deps := httpapi.Deps{
		Log:       log,
		Store:     store,
		Save:      store.Put,
		Carts:     carts,
		Sessions:  sessions,
		Placer:    checkout.NewPlacer(store, cfg.Checkout, sessions, carts, orderSvc, bo),
		Coupons:   coupon.New(store, bo),
		Orders:    orderSvc,
		Tracking:  orders.NewTrackingReader(kvHTTP, acct, cfg.Cloudflare.NamespaceID),
		Search:    suggest,
		OTP:       auth.NewOTPService(store, cfg.Auth, bo, []byte(os.Getenv("OTP_PEPPER"))),
		Tokens:    auth.NewTokens(cf, acct, cfg.Cloudflare.NamespaceID, cfg.Auth.RefreshTTL),
		Profiles:  auth.NewProfiles(store, "en-GB"),
		Inventory: inventory.New(store, inventory.Options{Client: cf, AccountID: acct, Namespace: cfg.Cloudflare.NamespaceID}),
		Limiter:   ratelimit.New(store, cfg.RateLimit, log),
	}

	if err := publisher.EnsureCategoryTree(ctx); err != nil {
		return err
	}
	if prewarm {
		w := search.Warmer{CF: cf, AccountID: acct, Namespace: cfg.Cloudflare.EdgeNSID}
		if err := w.Prewarm(ctx); err != nil {
			log.Warn("prewarm", "err", err)
		}
	}

	reindex := catalog.NewReindexer(publisher, cfg.Catalog.ReindexWorkers)
	pruner := &jobs.Pruner{CF: cf, AccountID: acct, Namespace: cfg.Cloudflare.EdgeNSID, Catalog: bo}
	report := jobs.NewExpiryReport(store, cfg.Checkout)
	jobs.Start(ctx, log,
		jobs.Job{Name: "catalog-publish", At: 2 * time.Hour, Run: func(ctx context.Context) error {
			if err := publisher.PublishAll(ctx, bo); err != nil {
				return err
			}
			return publisher.PublishCategoryTree(ctx, bo)
		}},
		jobs.Job{Name: "catalog-reindex", At: 3 * time.Hour, Run: func(ctx context.Context) error {
			_, err := reindex.Run(ctx)
			return err
		}},
		jobs.Job{Name: "prune-search-docs", At: 4 * time.Hour, Run: func(ctx context.Context) error {
			_, err := pruner.PruneSearchDocs(ctx)
			return err
		}},
		jobs.Job{Name: "expiry-report", Every: 15 * time.Minute, Run: func(ctx context.Context) error {
			b, err := report.CheckoutSessions(ctx)
			log.InfoContext(ctx, "checkout sessions", "soon", b.Within10m, "hour", b.Within1h, "truncated", b.Truncated)
			return err
		}},
		jobs.Job{Name: "jobs-heartbeat", Every: time.Minute, Run: func(ctx context.Context) error {
			return store.Put(ctx, "jobs:heartbeat", []byte(time.Now().UTC().Format(time.RFC3339)), kvstore.WithTTL(10*time.Minute))
		}},
	)
	go suggest.FlushLoop(ctx, log)

	events := make(chan orders.Event, 256)
	go func() { _ = orders.NewConsumer(orderSvc, log).Run(ctx, events) }()

	mux := http.NewServeMux()
	mux.Handle("/", httpapi.New(deps))
	mux.HandleFunc("POST /internal/order-events", func(w http.ResponseWriter, r *http.Request) {
		var ev orders.Event
		if err := json.NewDecoder(r.Body).Decode(&ev); err != nil {
			http.Error(w, "bad event", http.StatusBadRequest)
			return
		}
		select {
		case events <- ev:
			w.WriteHeader(http.StatusAccepted)
		default:
			http.Error(w, "busy", http.StatusServiceUnavailable)
		}
	})

	srv := &http.Server{Addr: cfg.ListenAddr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
