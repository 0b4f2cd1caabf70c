// Command cartd runs the cart service: the Redis-protocol facade used by the
// checkout monolith, and the HTTP API used by the new storefront.
package main

import (
	"context"
	"errors"
	"flag"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/option"

	"github.com/ouzel-commerce/ouzel/internal/cart"
	"github.com/ouzel-commerce/ouzel/internal/coupons"
	"github.com/ouzel-commerce/ouzel/internal/holds"
	"github.com/ouzel-commerce/ouzel/internal/kvstore"
	"github.com/ouzel-commerce/ouzel/internal/limits"
	"github.com/ouzel-commerce/ouzel/internal/luarun"
	"github.com/ouzel-commerce/ouzel/internal/recent"
	"github.com/ouzel-commerce/ouzel/internal/resp"
	"github.com/ouzel-commerce/ouzel/internal/session"
)

func main() {
	var (
		respAddr  = flag.String("resp", ":6380", "Redis-protocol listen address")
		httpAddr  = flag.String("http", ":8080", "HTTP listen address")
		payWindow = flag.Duration("payment-window", 20*time.Second, "payment confirmation window")
		catalog   = flag.String("catalog", "http://merch.internal", "merchandising catalog base URL")
	)
	flag.Parse()

	token := os.Getenv("CF_API_TOKEN")
	account := os.Getenv("CF_ACCOUNT_ID")
	nsCarts := os.Getenv("KV_CARTS_NAMESPACE")
	nsSessions := os.Getenv("KV_SESSIONS_NAMESPACE")
	if token == "" || account == "" || nsCarts == "" || nsSessions == "" {
		log.Fatal("CF_API_TOKEN, CF_ACCOUNT_ID, KV_CARTS_NAMESPACE and KV_SESSIONS_NAMESPACE are required")
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	store := kvstore.Open(token, account, nsCarts)
	runner := luarun.New(store)
	client := cloudflare.NewClient(option.WithAPIToken(token))

	app := &api{
		kv:       store,
		carts:    cart.NewService(store),
		holds:    holds.NewService(store, runner, *payWindow),
		coupons:  coupons.NewService(store, runner, newCatalogClient(*catalog)),
		limiter:  limits.New(store),
		quota:    limits.NewQuota(store),
		recent:   recent.NewService(store, runner),
		sessions: session.NewStore(client, account, nsSessions),
	}

	rs := resp.New(ctx, store, runner, resp.Config{Password: os.Getenv("RESP_PASSWORD")})
	go func() {
		log.Printf("resp: listening on %s", *respAddr)
		if err := rs.ListenAndServe(*respAddr); err != nil {
			log.Printf("resp: %v", err)
			stop()
		}
	}()

	go app.flushLoop(ctx, time.Minute)

	srv := &http.Server{Addr: *httpAddr, Handler: app.routes(), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdownCtx)
	}()
	log.Printf("http: listening on %s", *httpAddr)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
	flushCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	app.flush(flushCtx)
}

// flushLoop publishes in-memory usage and view totals once per interval.
func (a *api) flushLoop(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			a.flush(ctx)
		}
	}
}

func (a *api) flush(ctx context.Context) {
	if err := a.quota.Flush(ctx); err != nil {
		log.Printf("quota flush: %v", err)
	}
	if err := a.recent.FlushViews(ctx); err != nil {
		log.Printf("views flush: %v", err)
	}
}
