// Command nightly runs the backend's housekeeping jobs, once or on a timer.
package main

import (
	"context"
	"flag"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/option"

	"goldcrest/internal/cfkv"
	"goldcrest/internal/clock"
	"goldcrest/internal/jobs"
)

func main() {
	loop := flag.Bool("loop", false, "keep running and tick every -every")
	every := flag.Duration("every", 24*time.Hour, "interval between runs with -loop")
	timeout := flag.Duration("timeout", 20*time.Minute, "time limit per job")
	depots := flag.String("depots", "", "comma-separated depot IDs")
	flag.Parse()

	account := os.Getenv("CF_ACCOUNT_ID")
	api := cloudflare.NewClient(option.WithAPIToken(os.Getenv("CF_API_TOKEN")))
	clk := clock.System{}
	dkv := cfkv.New(api, account, os.Getenv("DISPATCH_KV_ID"))
	ckv := cfkv.New(api, account, os.Getenv("COURIER_KV_ID"))
	tkv := cfkv.New(api, account, os.Getenv("TRACKING_KV_ID"))
	httpClient := &http.Client{Timeout: 30 * time.Second}
	depotIDs := strings.FieldsFunc(*depots, func(r rune) bool { return r == ',' })

	logger := log.New(os.Stderr, "nightly ", log.LstdFlags|log.LUTC)
	s := jobs.NewScheduler(clk, *every, *timeout, logger)
	s.Register(
		jobs.CloseShifts{KV: ckv, Clock: clk, Grace: 2 * time.Hour, Budget: 2000},
		jobs.RollupDelivered{KV: dkv, Clock: clk, Analytics: os.Getenv("ANALYTICS_URL"), HTTP: httpClient},
		jobs.PublishNotices{KV: tkv, Ops: os.Getenv("OPS_URL"), HTTP: httpClient, Clock: clk},
		jobs.SlotSummary{KV: tkv, Clock: clk, Depots: depotIDs, PerHour: 12},
	)
	for _, d := range depotIDs {
		s.Register(jobs.PrewarmSlots{API: api, AccountID: account, NamespaceID: os.Getenv("TRACKING_KV_ID"), DepotID: d, Clock: clk})
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if *loop {
		if err := s.Loop(ctx); err != nil && ctx.Err() == nil {
			logger.Fatal(err)
		}
		return
	}
	if err := s.RunOnce(ctx); err != nil {
		logger.Fatal(err)
	}
}
