// Command hoopoe-relay keeps KV in step with Postgres: it relays the outbox,
// handles notifications and refreshes schedules and show pages.
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
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/hoopoefm/hoopoe/internal/kvrest"
	"github.com/hoopoefm/hoopoe/internal/metrics"
	"github.com/hoopoefm/hoopoe/internal/projection"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	db, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	api, err := cloudflare.NewWithAPIToken(os.Getenv("CF_API_TOKEN"))
	if err != nil {
		log.Fatal(err)
	}
	kv := kvrest.New(api, os.Getenv("CF_ACCOUNT_ID"), os.Getenv("KV_NAMESPACE_ID"))
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	go func() { _ = http.ListenAndServe(":9102", promhttp.HandlerFor(reg, promhttp.HandlerOpts{})) }()

	host, _ := os.Hostname()
	relay := &projection.Relay{DB: db, KV: kv, Metrics: m, BatchSize: 500}
	if ok, err := relay.AcquireLeader(ctx, host); err != nil || !ok {
		log.Fatalf("relay: not leader (%v)", err)
	}
	go func() { log.Println(relay.Run(ctx)) }()
	go func() { log.Println((&projection.Listener{DB: db, KV: kv, Metrics: m}).Run(ctx)) }()

	shows := &projection.Shows{DB: db, KV: kv, Cfg: projection.Config{
		SummaryTTL: 10 * time.Minute,
		PreviewTTL: 2 * time.Hour,
	}}
	t := time.NewTicker(5 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := shows.PublishSchedule(ctx); err != nil {
				log.Printf("schedule: %v", err)
			}
		}
	}
}
