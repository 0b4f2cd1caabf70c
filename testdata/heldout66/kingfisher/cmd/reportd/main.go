// Command reportd publishes the previous day's order report. It runs nightly
// from the platform cron with the orders export on stdin (JSON lines).
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"log/slog"
	"os"
	"time"

	"github.com/kingfisher-ops/kingfisher/internal/reporting"
)

func main() {
	var (
		day       = flag.String("day", time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly), "UTC day to publish")
		retention = flag.Duration("retention", 90*24*time.Hour, "how long per-customer summaries are kept")
		seed      = flag.Bool("seed-sparkline", false, "seed next week's sparkline slots")
	)
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))

	r := reporting.New(os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID"), os.Getenv("KV_REPORTS_NAMESPACE_ID"), *retention, log)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()

	d, err := time.Parse(time.DateOnly, *day)
	if err != nil {
		log.Error("bad -day", "err", err)
		os.Exit(2)
	}

	var rows []reporting.OrderRow
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		var row reporting.OrderRow
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			log.Error("bad row", "err", err)
			os.Exit(1)
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		log.Error("read export", "err", err)
		os.Exit(1)
	}

	if err := r.PublishDaily(ctx, d, rows); err != nil {
		log.Error("publish", "err", err)
		os.Exit(1)
	}
	if n, err := r.Prune(ctx, d.Add(-*retention)); err != nil {
		log.Error("prune", "deleted", n, "err", err)
		os.Exit(1)
	}
	if *seed {
		next := d.AddDate(0, 0, 7-int(d.Weekday()))
		if err := r.SeedSparkline(ctx, next); err != nil {
			log.Error("seed sparkline", "err", err)
			os.Exit(1)
		}
	}
	names, err := r.ListReports(ctx)
	if err != nil {
		log.Error("list", "err", err)
		os.Exit(1)
	}
	log.Info("published", "day", *day, "reports_total", len(names))
}
