// Command hoopoe-api serves the host-facing API and the edge's report endpoint.
package main

import (
	"context"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go"
	"github.com/go-kit/kit/endpoint"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/hoopoefm/hoopoe/internal/accounts"
	"github.com/hoopoefm/hoopoe/internal/ads"
	"github.com/hoopoefm/hoopoe/internal/feeds"
	"github.com/hoopoefm/hoopoe/internal/kvrest"
	"github.com/hoopoefm/hoopoe/internal/metrics"
	"github.com/hoopoefm/hoopoe/internal/stats"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	db, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	api, err := cloudflare.NewWithAPIToken(os.Getenv("CF_API_TOKEN"))
	if err != nil {
		log.Fatal(err)
	}
	kv := kvrest.New(api, os.Getenv("CF_ACCOUNT_ID"), os.Getenv("KV_NAMESPACE_ID"))

	reg := prometheus.NewRegistry()
	reg.MustRegister(prometheus.NewGoCollector())
	m := metrics.New(reg)

	acct := accounts.NewService(db, kv, m)
	idem := &accounts.Idempotency{KV: kv, TTL: 24 * time.Hour}
	mux := http.NewServeMux()
	accounts.RegisterHTTP(mux, accounts.MakeEndpoints(acct, idem))

	hostOnly := endpoint.Chain(accounts.SessionAuth(acct))
	apiKeyed := accounts.Quota(acct, kv, m)
	feeds.MakeHandler(mux, feeds.NewService(db, kv), hostOnly)

	agg := stats.NewAggregator(db, kv, m)
	agg.RegisterHTTP(mux, apiKeyed)
	go agg.Run(ctx, time.Minute)

	_ = ads.New(db, kv, m)
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))

	srv := &http.Server{Addr: ":8080", Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		log.Fatal(err)
	}
}
