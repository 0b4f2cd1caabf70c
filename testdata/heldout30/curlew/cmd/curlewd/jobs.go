package main

import (
	"context"
	"log/slog"
	"time"

	"example.com/curlew/internal/config"
	"example.com/curlew/internal/infra/cfrest"
	"example.com/curlew/internal/infra/cfsdk"
	"example.com/curlew/internal/jobs"
	"example.com/curlew/internal/routeplan"
)

type jobDeps struct {
	plans    *routeplan.Service
	sweeper  *cfrest.Sweeper
	reports  cfsdk.Reports
	podSweep *sweepJob
	depots   []string
}

func startJobs(ctx context.Context, cfg config.Config, q *jobs.Queue, d jobDeps) {
	go q.Run(ctx)

	summary := func(ctx context.Context) error {
		day := time.Now().UTC().Format("20060102")
		for _, depot := range d.depots {
			if depot == "" {
				continue
			}
			if err := d.plans.RefreshSummary(ctx, depot, day); err != nil {
				return err
			}
			n, err := d.plans.CountRoutes(ctx, depot, day)
			if err != nil {
				return err
			}
			slog.InfoContext(ctx, "depot summary", "depot", depot, "routes", n)
		}
		return nil
	}
	go jobs.Every(ctx, q, "summary", cfg.Jobs.SummaryEvery.Duration, summary)

	sweep := func(ctx context.Context) error {
		if _, err := d.sweeper.PurgeExpiredDrafts(ctx, time.Now().Add(-48*time.Hour), 10); err != nil {
			return err
		}
		return d.podSweep.run(ctx)
	}
	go jobs.Every(ctx, q, "sweep", cfg.Jobs.SweepEvery.Duration, sweep)

	nightly := func(ctx context.Context) error {
		if time.Now().UTC().Hour() != 2 {
			return nil
		}
		keys, err := d.reports.AllParcelKeys(ctx)
		slog.InfoContext(ctx, "nightly export", "parcels", len(keys))
		return err
	}
	go jobs.Every(ctx, q, "nightly", time.Hour, nightly)
}
