// Command ibex-cron runs the scheduled jobs. The platform's cron triggers
// invoke it once per expression: ibex-cron -cron '0 * * * *'.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"time"

	cfv0 "github.com/cloudflare/cloudflare-go"
	cfv3 "github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/option"

	"example.com/ibex/internal/analytics"
	"example.com/ibex/internal/config"
	"example.com/ibex/internal/edgekv"
	"example.com/ibex/internal/jobs"
	"example.com/ibex/internal/kvrest"
	"example.com/ibex/internal/kvstore"
	"example.com/ibex/internal/origin"
)

type task struct {
	name     string
	interval time.Duration
	run      func(ctx context.Context, now time.Time) error
}

func main() {
	cron := flag.String("cron", "", "cron expression to run")
	flag.Parse()
	logger := log.New(os.Stderr, "ibex-cron ", log.LstdFlags|log.Lmsgprefix)
	cfg, err := config.Load()
	if err != nil {
		logger.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := scheduled(ctx, cfg, logger, *cron, time.Now()); err != nil {
		logger.Fatal(err)
	}
}

// scheduled is the cron entry point: it runs every task registered for
// the expression and records a heartbeat for each.
func scheduled(ctx context.Context, cfg config.Config, logger *log.Logger, cron string, now time.Time) error {
	ns := cfg.NS()
	api, err := cfv0.NewWithAPIToken(cfg.APIToken)
	if err != nil {
		return err
	}
	edge := edgekv.New(cfv3.NewClient(option.WithAPIToken(cfg.APIToken)), cfg.AccountID, string(cfg.Env),
		map[string]map[edgekv.Namespace]string{string(cfg.Env): {"feeds": ns.Feeds, "sponsors": ns.Sponsors}})
	rest := kvrest.New(nil, "", cfg.AccountID, cfg.APIToken, kvrest.StaticResolver(map[string]string{"jobs": ns.Jobs}))
	src, err := origin.New(cfg.OriginURL)
	if err != nil {
		return err
	}
	catalogStore := kvstore.New(api, cfg.AccountID, ns.Catalog)
	rollup := analytics.NewRollup(src, kvstore.New(api, cfg.AccountID, ns.Analytics), cfg.Location)
	pruner := jobs.NewPruner(api, cfg.AccountID, ns.Catalog, src)
	audit := jobs.NewInviteAudit(kvstore.New(api, cfg.AccountID, ns.Invites))
	backlog := jobs.NewBacklog(rest, "jobs")

	tasks := map[string][]task{
		"*/5 * * * *": {{"backlog", 5 * time.Minute, func(ctx context.Context, _ time.Time) error {
			n, err := backlog.Size(ctx)
			logger.Printf("transcript backlog: %d", n)
			return err
		}}},
		"0 * * * *": {{"inventory", time.Hour, func(ctx context.Context, _ time.Time) error {
			return jobs.RebuildInventory(ctx, edge, jobs.PublishInventory{Edge: edge})
		}}},
		"30 2 * * *": {
			{"rollup", 24 * time.Hour, rollup.Run},
			{"prune", 24 * time.Hour, func(ctx context.Context, _ time.Time) error {
				_, err := pruner.PruneEpisodes(ctx)
				return err
			}},
			{"audit", 24 * time.Hour, func(ctx context.Context, _ time.Time) error {
				n, err := audit.Outstanding(ctx)
				logger.Printf("outstanding invitations: %d", n)
				return err
			}},
		},
	}
	run, ok := tasks[cron]
	if !ok {
		return fmt.Errorf("no tasks for cron %q", cron)
	}
	beat := jobs.NewHeartbeat(catalogStore)
	var errs []error
	for _, t := range run {
		if err := t.run(ctx, now); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", t.name, err))
			continue
		}
		if err := beat.Beat(ctx, t.name, t.interval, now); err != nil {
			logger.Printf("%s: heartbeat: %v", t.name, err)
		}
	}
	return errors.Join(append(errs, jobs.MarkRun(ctx, catalogStore, cron, now))...)
}
