// Command statsd ingests player events and builds the analytics rollups.
package main

import (
	"context"
	"flag"
	"log"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/option"

	"github.com/chiffchaff/podhost/internal/clock"
	"github.com/chiffchaff/podhost/internal/jobs"
	"github.com/chiffchaff/podhost/internal/rollup"
)

func main() {
	addr := flag.String("addr", ":8081", "listen address")
	retention := flag.Duration("event-retention", 48*time.Hour, "how long raw events are kept")
	maxBatch := flag.Int("max-batch", 500, "events accepted per ingest request")
	tick := flag.Duration("tick", 5*time.Minute, "rollup interval")
	flag.Parse()

	client := cloudflare.NewClient(option.WithAPIToken(os.Getenv("CF_API_TOKEN")), option.WithMaxRetries(2))
	store := rollup.NewStore(client, os.Getenv("CF_ACCOUNT_ID"), os.Getenv("KV_STATS_NS"), clock.System{})

	live := func(ctx context.Context) (int, error) { return 0, nil }
	minute := func(ctx context.Context, m time.Time) (int, error) { return 0, nil }

	sched := &jobs.Scheduler{Tick: *tick, Timeout: 4 * time.Minute}
	sched.Register(
		rollup.NewDailyJob(store),
		rollup.NewShowTotalsJob(store),
		rollup.NewTrendingJob(store),
		rollup.NewSessionAuditJob(store),
		rollup.NewCatalogSizeJob(store),
		rollup.NewLiveJob(store, live),
		rollup.NewArchiveJob(store, minute),
		rollup.NewExportJob(store),
	)

	mux := http.NewServeMux()
	mux.HandleFunc("POST /ingest", rollup.MakeIngest(store, *retention, *maxBatch))
	mux.HandleFunc("GET /rollup/{day}", rollup.MakeSnapshot(store))
	mux.HandleFunc("GET /events/{show}", rollup.MakeKeysPage(store))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go sched.Start(ctx)

	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		log.Fatal(err)
	}
}
