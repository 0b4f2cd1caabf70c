// Command phalarope-cron runs the nightly cleanup job; it is started by the
// scheduler once a night.
package main

import (
	"context"
	"flag"
	"log/slog"
	"os"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"github.com/tollgate-dev/phalarope/internal/cleanup"
	"github.com/tollgate-dev/phalarope/internal/clock"
	"github.com/tollgate-dev/phalarope/internal/kv"
)

func main() {
	rollMonth := flag.String("roll-usage", "", "reset usage buckets for this month (YYYY-MM)")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))

	api, err := cloudflare.NewWithAPIToken(os.Getenv("CF_API_TOKEN"))
	if err != nil {
		log.Error("cloudflare client", "err", err)
		os.Exit(1)
	}
	host, _ := os.Hostname()
	job := &cleanup.Job{
		KV:    kv.NewClient(api, os.Getenv("CF_ACCOUNT_ID")),
		NS:    kv.Namespace(os.Getenv("KV_AUTH_NAMESPACE")),
		Clock: clock.System{},
		Log:   log,
		Host:  host,
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Minute)
	defer cancel()

	if *rollMonth != "" {
		if err := job.RollUsage(ctx, *rollMonth); err != nil {
			log.Error("roll usage", "err", err)
			os.Exit(1)
		}
	}
	start := time.Now()
	err = job.Run(ctx)
	report := map[string]int{"seconds": int(time.Since(start).Seconds()), "ok": 1}
	if err != nil {
		report["ok"] = 0
		log.Error("cleanup", "err", err)
	}
	if werr := job.WriteReport(ctx, report); werr != nil {
		log.Warn("report", "err", werr)
	}
	if err != nil {
		os.Exit(1)
	}
}
