package jobs

import (
	"context"
	"database/sql"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"

	"github.com/boxoffice/oystercatcher/internal/config"
	"github.com/boxoffice/oystercatcher/internal/kvstore"
)

// Deps are what the workers need from main.
type Deps struct {
	DB       *sql.DB
	KV       *kvstore.Store
	Payments PaymentProvider
	Render   func(ctx context.Context, orderID string) ([]byte, error)
	Cfg      config.Config
}

// NewClient registers every worker and periodic job and returns a River
// client that has not been started.
func NewClient(d Deps) (*river.Client[*sql.Tx], error) {
	workers := river.NewWorkers()
	river.AddWorker(workers, &RefundWorker{KV: d.KV, Payments: d.Payments, RetryWindow: d.Cfg.Refunds.RetryWindow})
	river.AddWorker(workers, &ReceiptWorker{KV: d.KV, Render: d.Render})
	river.AddWorker(workers, &SalesRollupWorker{KV: d.KV})
	river.AddWorker(workers, &HoldSweepWorker{KV: d.KV, PageSize: d.Cfg.Listing.PageSize, MaxPages: d.Cfg.Listing.MaxPages})
	river.AddWorker(workers, &SeatMapWorker{KV: d.KV, DB: d.DB})
	river.AddWorker(workers, &SeatImportWorker{KV: d.KV, DB: d.DB})
	river.AddWorker(workers, &AttendeeExportWorker{KV: d.KV})
	river.AddWorker(workers, &DeviceAuditWorker{KV: d.KV})
	river.AddWorker(workers, &OrgOffboardWorker{KV: d.KV})

	periodic := []*river.PeriodicJob{
		river.NewPeriodicJob(
			river.PeriodicInterval(5*time.Minute),
			func() (river.JobArgs, *river.InsertOpts) { return SalesRollupArgs{}, nil },
			&river.PeriodicJobOpts{ID: "sales_rollup", RunOnStart: true},
		),
		river.NewPeriodicJob(
			river.PeriodicInterval(time.Minute),
			func() (river.JobArgs, *river.InsertOpts) { return HoldSweepArgs{}, nil },
			&river.PeriodicJobOpts{ID: "hold_sweep"},
		),
	}

	return river.NewClient(riverdatabasesql.New(d.DB), &river.Config{
		Queues: map[string]river.QueueConfig{
			river.QueueDefault: {MaxWorkers: 20},
			"refunds":          {MaxWorkers: 5},
		},
		Workers:      workers,
		PeriodicJobs: periodic,
		MaxAttempts:  d.Cfg.Refunds.MaxAttempts,
		JobTimeout:   2 * time.Minute,
	})
}
