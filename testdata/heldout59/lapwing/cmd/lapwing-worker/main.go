// Command lapwing-worker runs the scheduled jobs: dunning reminders, state
// sweeps and usage rollups.
package main

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/lapwing-billing/lapwing/internal/billing"
	"github.com/lapwing-billing/lapwing/internal/config"
	"github.com/lapwing-billing/lapwing/internal/dunning"
	"github.com/lapwing-billing/lapwing/internal/kvstore"
	"github.com/lapwing-billing/lapwing/internal/notify"
	"github.com/lapwing-billing/lapwing/internal/usage"
)

// Job is anything the scheduler can run.
type Job interface{ Run() }

type deps struct {
	cfg     *config.Config
	log     *slog.Logger
	billing *kvstore.Namespace
	ledger  billing.Ledger
	relay   *notify.Relay
}

func load(cfgPath string) (*deps, error) {
	cfg, err := config.Load(cfgPath)
	if err != nil {
		return nil, err
	}
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil)).With(slog.String("service", "lapwing-worker"))
	db, err := sql.Open(cfg.Database.Driver, cfg.Database.DSN)
	if err != nil {
		return nil, err
	}
	client := kvstore.NewClient(cfg.Cloudflare.APIToken)
	return &deps{
		cfg:     cfg,
		log:     log,
		billing: kvstore.Open(client, cfg.Cloudflare.AccountID, cfg.Cloudflare.BillingNamespace, log),
		ledger:  billing.NewSQLLedger(db, nil),
		relay:   notify.NewRelay(os.Getenv("SMTP_RELAY"), "billing@lapwing.io", log),
	}, nil
}

func every(ctx context.Context, wg *sync.WaitGroup, d time.Duration, job Job) {
	wg.Go(func() {
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				job.Run()
			}
		}
	})
}

// depthSampler publishes the outbound mail queue depth for the ops board.
type depthSampler struct {
	ns    *kvstore.Namespace
	queue interface{ Len() int }
}

func (s depthSampler) loop(ctx context.Context) {
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			depth := []byte(strconv.Itoa(s.queue.Len()))
			_ = s.ns.Put(ctx, "worker:mail-queue-depth", depth, 0) // EXPECT kvhotkey
		}
	}
}

func heartbeat(ctx context.Context, ns *kvstore.Namespace, interval time.Duration) {
	host, _ := os.Hostname()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			_ = ns.Put(ctx, "worker:heartbeat:"+host, []byte(now.UTC().Format(time.RFC3339Nano)), 10*time.Minute) // DEBATABLE kvhotkey
		}
	}
}

func main() {
	var (
		cfgPath    string
		beatEvery  time.Duration
		sweepEvery time.Duration
		month      string
	)
	root := &cobra.Command{Use: "lapwing-worker", SilenceUsage: true}
	root.PersistentFlags().StringVar(&cfgPath, "config", "", "config file")

	run := &cobra.Command{
		Use:   "run",
		Short: "Run all scheduled jobs until SIGTERM",
		RunE: func(cmd *cobra.Command, _ []string) error {
			d, err := load(cfgPath)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			var wg sync.WaitGroup
			wg.Go(func() { d.relay.Deliver(ctx) })
			wg.Go(func() { depthSampler{ns: d.billing, queue: d.relay}.loop(ctx) })
			wg.Go(func() { heartbeat(ctx, d.billing, beatEvery) })
			every(ctx, &wg, d.cfg.Dunning.Interval, &dunning.ReminderJob{
				NS: d.billing, Ledger: d.ledger, Mail: d.relay, Cfg: d.cfg.Dunning, Log: d.log,
			})
			every(ctx, &wg, sweepEvery, &dunning.SweepJob{NS: d.billing, Ledger: d.ledger, Log: d.log})
			d.log.Info("worker started")
			<-ctx.Done()
			wg.Wait()
			return nil
		},
	}
	run.Flags().DurationVar(&beatEvery, "heartbeat-every", 500*time.Millisecond, "heartbeat interval")
	run.Flags().DurationVar(&sweepEvery, "sweep-every", time.Hour, "state sweep interval")

	rollup := &cobra.Command{
		Use:   "usage-rollup",
		Short: "Sum daily usage counters into the month total",
		RunE: func(cmd *cobra.Command, _ []string) error {
			d, err := load(cfgPath)
			if err != nil {
				return err
			}
			m := time.Now().UTC().AddDate(0, 0, -1)
			if month != "" {
				if m, err = time.Parse("2006-01", month); err != nil {
					return fmt.Errorf("--month: %w", err)
				}
			}
			r := &usage.Rollup{NS: d.billing, Ledger: d.ledger, Log: d.log}
			return r.Month(cmd.Context(), m)
		},
	}
	rollup.Flags().StringVar(&month, "month", "", "month to roll up (YYYY-MM, default: yesterday's)")

	root.AddCommand(run, rollup)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := root.ExecuteContext(ctx); err != nil {
		os.Exit(1)
	}
}
