//go:build js && wasm

// Command orchard-cron is the scheduled worker. Each cron trigger in
// wrangler.toml maps to a list of jobs run one after another.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"

	"example.com/orchard/internal/catalog"
	"example.com/orchard/internal/config"
	"example.com/orchard/internal/edge/sweeper"
	"example.com/orchard/internal/events"
	"example.com/orchard/internal/jobs"
	"example.com/orchard/internal/metrics"
	"example.com/orchard/internal/platform/kvstore"
	"example.com/orchard/internal/store"
)

// schedule maps a cron expression to the jobs it triggers.
var schedule = map[string][]string{
	"*/5 * * * *": {"flush-metrics"},
	"0 * * * *":   {"home-facets", "warm-storefronts", "reconcile-holds"},
	"30 3 * * *":  {"prune-events", "export-holds", "rebuild-activity"},
	"0 4 1 * *":   {"archive-orders"},
}

func main() {
	cfg, err := config.Load(cloudflare.Getenv)
	if err != nil {
		panic(err)
	}
	log := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: cfg.Level()})).With("env", cfg.Env)
	mainKV, err := kvstore.Open(cfg.MainBinding, 0)
	if err != nil {
		panic(err)
	}
	edgeKV, err := kvstore.Open(cfg.EdgeBinding, 0)
	if err != nil {
		panic(err)
	}

	runner := jobs.NewRunner(mainKV, cfg.Instance, cfg.JobTimeout, log)
	cat := catalog.New(catalog.Deps{
		Main:     mainKV,
		Edge:     edgeKV,
		Lookup:   edgeKV.Lookup(),
		Registry: catalog.HTTPRegistry{Origin: cfg.Origin, Client: http.DefaultClient},
		Policies: cfg.Policies,
		Log:      log,
	})
	jobs.Builtins{
		Main:     mainKV,
		Catalog:  cat,
		Metrics:  metrics.New(mainKV, log),
		MaxPages: cfg.MaxPages,
	}.RegisterAll(runner)

	sw := sweeper.New(mainKV.Namespace(), cfg.MaxPages)
	runner.Register("reconcile-holds", sw.ReconcileHolds)
	runner.Register("prune-events", sw.PruneEvents)
	runner.Register("export-holds", sw.ExportHolds)

	proj := events.NewProjector(mainKV, log)
	runner.Register("rebuild-activity", func(ctx context.Context, log *slog.Logger) error {
		farms, err := store.Scan(mainKV).Prefix("farmidx:").Limit(200).Pages(cfg.MaxPages).Names(ctx)
		if err != nil && !errors.Is(err, store.ErrTruncated) {
			return err
		}
		var errs []error
		for _, key := range farms {
			if err := proj.Rebuild(ctx, strings.TrimPrefix(key, "farmidx:"), cfg.MaxPages); err != nil {
				errs = append(errs, err)
			}
		}
		log.InfoContext(ctx, "activity rebuilt", "farms", len(farms), "failed", len(errs))
		return errors.Join(errs...)
	})

	cron.ScheduleTask(func(ctx context.Context) error {
		ev, err := cron.NewEvent(ctx)
		if err != nil {
			return err
		}
		names, ok := schedule[ev.Cron]
		if !ok {
			return fmt.Errorf("no jobs for cron %q", ev.Cron)
		}
		var errs []error
		for _, name := range names {
			if err := runner.Run(ctx, name); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", name, err))
			}
		}
		return errors.Join(errs...)
	})
}
