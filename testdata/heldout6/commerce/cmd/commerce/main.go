// Command commerce is the edge-publishing backend of the storefront. It
// wires the domain services to the Workers KV namespaces, serves the
// storefront and admin APIs and runs the background jobs.
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

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/option"

	"example.com/commerce/internal/adapters/cfkv"
	"example.com/commerce/internal/adapters/kvrest"
	"example.com/commerce/internal/cart"
	"example.com/commerce/internal/catalog"
	"example.com/commerce/internal/checkout"
	"example.com/commerce/internal/config"
	"example.com/commerce/internal/discount"
	"example.com/commerce/internal/orderstatus"
	"example.com/commerce/internal/platform"
	"example.com/commerce/internal/platform/cache"
	"example.com/commerce/internal/recent"
	"example.com/commerce/internal/returns"
	"example.com/commerce/internal/sale"
	"example.com/commerce/internal/search"
	"example.com/commerce/internal/session"
	"example.com/commerce/internal/warmer"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	if err := run(log); err != nil {
		log.Error("exit", "err", err)
		os.Exit(1)
	}
}

func identity(s string) string { return s }

func run(log *slog.Logger) error {
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	var (
		clock  platform.Clock = platform.SystemClock{}
		ids    platform.IDGen = platform.RandomIDs{}
		origin                = newOriginClient(cfg.OriginURL)
		cf                    = cfg.Cloudflare
	)
	store := cfkv.New(cloudflare.NewClient(option.WithAPIToken(cf.APIToken)), cf.AccountID, cf.NamespaceID)
	pages := kvrest.New(cf.APIBase, cf.AccountID, cf.OrdersNamespace, cf.APIToken)

	productCache := cache.New[string, catalog.Product](store, identity,
		cache.WithPrefix("pc:"),
		cache.WithTTL(cfg.Catalog.ProductTTL),
	)
	stockCache := cache.New[string, int](store, identity,
		cache.WithPrefix("stock:badge:"),
		cache.WithTTL(45*time.Second), // EXPECT kvttl
	)

	catalogSvc := catalog.NewService(catalog.Deps{
		KV: store, Keys: store, Source: origin, Config: cfg.Catalog, Clock: clock, IDs: ids,
		Products: productCache, Stock: stockCache,
	})
	saleSvc := sale.NewService(store, origin, cfg.Sale, clock)
	cartSvc := cart.NewService(store, cfg.Cart, clock, ids)
	checkoutSvc := checkout.NewService(checkout.Deps{
		KV: store, Gateway: origin, Config: cfg.Checkout, Clock: clock, IDs: ids,
		CartTotal: func(ctx context.Context, ref string) (int64, error) {
			c, err := cartSvc.Get(ctx, ref)
			return c.Total(), err
		},
	})
	discountSvc := discount.NewService(store, cfg.Discount, clock)
	publisher := orderstatus.NewPublisher(pages, cfg.Orders, clock)
	returnsSvc := returns.NewService(store, cfg.Returns, clock, ids)
	indexer := search.NewIndexer(store, cfg.Search, clock)
	indexer.OnCorrupt = func(key string, err error) { log.Warn("corrupt product", "key", key, "err", err) }

	sessions := session.NewManager(store, origin, clock, ids,
		session.WithCookie("__Host-sid"),
		session.WithIdleTTL(14*24*time.Hour),
		session.WithChallengeTTL(30*time.Second), // EXPECT kvttl
	)
	sessions.OnLogin = cartSvc.MergeOnLogin

	mux := http.NewServeMux()
	catalogSvc.Routes(mux)
	saleSvc.Routes(mux)
	cartSvc.Routes(mux)
	checkoutSvc.Routes(mux, session.UserID)
	discountSvc.Routes(mux, session.UserID)
	publisher.Routes(mux)
	returnsSvc.Routes(mux, session.UserID)
	indexer.Routes(mux)
	sessions.Routes(mux, session.RequireUser)
	recent.NewTracker(store, cfg.Recent).Routes(mux, session.UserID)

	w := &warmer.Warmer{
		Products:      productCache,
		Load:          origin.Product,
		Top:           origin.Top,
		Keys:          store,
		RefreshPrices: catalogSvc.PublishPrices,
		Config:        cfg.Warmer,
		Log:           log,
	}
	go w.Run(ctx)
	go sale.Scheduler{Svc: saleSvc, Active: origin.ActiveSales, Every: 15 * time.Second}.Run(ctx)
	go every(ctx, log, "search.rebuild", cfg.Search.RebuildEvery, indexer.Rebuild)
	go every(ctx, log, "orders.reviews", cfg.Orders.SweepEvery, func(ctx context.Context) error {
		delivered, err := publisher.Delivered(ctx)
		if err != nil {
			return err
		}
		return origin.RequestReviews(ctx, delivered)
	})
	go every(ctx, log, "returns.stale", 24*time.Hour, func(ctx context.Context) error {
		_, err := returnsSvc.StaleReport(ctx, 60*24*time.Hour)
		return err
	})

	srv := &http.Server{
		Addr:         cfg.Addr,
		Handler:      session.Chain(mux, accessLog(log), sessions.Middleware),
		ReadTimeout:  10 * time.Second,
		WriteTimeout: 15 * time.Second,
	}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	log.Info("listening", "addr", cfg.Addr)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func every(ctx context.Context, log *slog.Logger, name string, d time.Duration, job func(context.Context) error) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := job(ctx); err != nil {
				log.Warn("job failed", "job", name, "err", err)
			}
		}
	}
}

func accessLog(log *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			next.ServeHTTP(w, r)
			log.Info("http", "method", r.Method, "path", r.URL.Path, "dur", time.Since(start))
		})
	}
}
