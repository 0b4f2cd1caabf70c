// Package jobs holds fleetd's background work, run by River: rollout steps,
// channel pins, provisioning follow-ups and periodic jobs.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"

	"github.com/fleetwire/snipe/internal/config"
	"github.com/fleetwire/snipe/internal/fleet"
	"github.com/fleetwire/snipe/internal/kvstore"
)

// ---- rollout steps ----

// RolloutStepArgs targets one batch of a rollout's cohort.
type RolloutStepArgs struct {
	RolloutID string `json:"rollout_id"`
	Batch     int    `json:"batch"`
}

func (RolloutStepArgs) Kind() string { return "rollout_step" }

// RolloutStepWorker points the devices of one batch at the new firmware and
// schedules the next batch.
type RolloutStepWorker struct {
	river.WorkerDefaults[RolloutStepArgs]

	store  *kvstore.Store
	cfg    config.Firmware
	client func() *river.Client[*sql.Tx]
}

func (w *RolloutStepWorker) Work(ctx context.Context, job *river.Job[RolloutStepArgs]) error {
	var ro fleet.Rollout
	if err := w.store.GetJSON(ctx, fleet.RolloutKey(job.Args.RolloutID), &ro); err != nil {
		return err
	}
	if ro.State != fleet.RolloutActive {
		return nil
	}
	api := w.store.API()
	res, err := api.KV.Namespaces.Keys.List(ctx, w.store.NamespaceID(), kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(w.store.AccountID()),
		Prefix:    cloudflare.F(fleet.CohortPrefix(ro.Cohort)),
		Limit:     cloudflare.F(float64(w.cfg.CohortPageSize)),
	})
	if err != nil {
		return err
	}
	cohort := make([]string, 0, len(res.Result))
	for _, k := range res.Result {
		cohort = append(cohort, k.Name[len(fleet.CohortPrefix(ro.Cohort)):])
	}

	from := job.Args.Batch * ro.BatchSize
	if ro.BatchSize <= 0 || from >= len(cohort) {
		done := []byte(time.Now().UTC().Format(time.RFC3339))
		return w.store.Put(ctx, fleet.RolloutKey(ro.ID)+":finished", done, 0)
	}
	to := min(from+ro.BatchSize, len(cohort))
	resumeKey := fleet.RolloutKey(ro.ID) + ":resume"
	for _, dev := range cohort[from:to] {
		if err := w.store.Put(ctx, fleet.TargetKey(dev), []byte(ro.Firmware), 0); err != nil {
			return fmt.Errorf("target %s: %w", dev, err)
		}
		if err := w.store.Put(ctx, resumeKey, []byte(dev), 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	next := RolloutStepArgs{RolloutID: ro.ID, Batch: job.Args.Batch + 1}
	_, err = w.client().Insert(ctx, next, &river.InsertOpts{ScheduledAt: time.Now().Add(w.cfg.StepInterval)})
	return err
}

// ---- channel pins ----

// ChannelPinArgs makes sure a firmware channel has a pin record.
type ChannelPinArgs struct {
	Channel string `json:"channel"`
	Default string `json:"default"`
}

func (ChannelPinArgs) Kind() string { return "channel_pin" }

type channelPin struct {
	Channel  string    `json:"channel"`
	Firmware string    `json:"firmware"`
	PinnedBy string    `json:"pinned_by"`
	PinnedAt time.Time `json:"pinned_at"`
}

// ChannelPinWorker seeds a channel's pin with the build it was created with.
type ChannelPinWorker struct {
	river.WorkerDefaults[ChannelPinArgs]
	store *kvstore.Store
}

func (w *ChannelPinWorker) Work(ctx context.Context, job *river.Job[ChannelPinArgs]) error {
	key := "fw:pin:" + job.Args.Channel
	if _, err := w.store.Get(ctx, key); err != nil { // EXPECT kvnull
		pin := channelPin{Channel: job.Args.Channel, Firmware: job.Args.Default, PinnedBy: "system", PinnedAt: time.Now().UTC()}
		return w.store.PutJSON(ctx, key, pin, 0) // EXPECT kvrace
	}
	return nil
}

// ---- provisioning follow-up ----

// ProvisionFollowupArgs checks that a provisioned device came online.
type ProvisionFollowupArgs struct {
	Device string `json:"device"`
}

func (ProvisionFollowupArgs) Kind() string { return "provision_followup" }

// ProvisionFollowupWorker marks the device as being checked while the job
// runs, so that the console does not offer a second check.
type ProvisionFollowupWorker struct {
	river.WorkerDefaults[ProvisionFollowupArgs]
	store *kvstore.Store
}

func (w *ProvisionFollowupWorker) Timeout(*river.Job[ProvisionFollowupArgs]) time.Duration {
	return 30 * time.Second
}

func (w *ProvisionFollowupWorker) Work(ctx context.Context, job *river.Job[ProvisionFollowupArgs]) error {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(time.Minute)
	}
	checking := "provcheck:" + job.Args.Device
	if err := w.store.Put(ctx, checking, []byte("1"), time.Until(deadline)); err != nil { // EXPECT kvttl
		return err
	}
	if _, err := w.store.Get(ctx, fleet.TelemetryKey(job.Args.Device)); err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			return river.JobSnooze(2 * time.Minute)
		}
		return err
	}
	return w.store.Delete(ctx, checking)
}

// ---- client ----

// Runner owns the River client and implements graph.Scheduler.
type Runner struct {
	client *river.Client[*sql.Tx]
}

// NewRunner registers every worker and periodic job.
func NewRunner(db *sql.DB, store *kvstore.Store, cfg *config.Config, log *slog.Logger) (*Runner, error) {
	r := &Runner{}
	workers := river.NewWorkers()
	river.AddWorker(workers, &RolloutStepWorker{store: store, cfg: cfg.Firmware, client: func() *river.Client[*sql.Tx] { return r.client }})
	river.AddWorker(workers, &ChannelPinWorker{store: store})
	river.AddWorker(workers, &ProvisionFollowupWorker{store: store})
	addPeriodicWorkers(workers, store, log)

	client, err := river.NewClient(riverdatabasesql.New(db), &river.Config{
		Queues:       map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 20}},
		Workers:      workers,
		PeriodicJobs: periodicJobs(cfg),
		Logger:       log,
	})
	if err != nil {
		return nil, err
	}
	r.client = client
	return r, nil
}

func (r *Runner) Start(ctx context.Context) error { return r.client.Start(ctx) }
func (r *Runner) Stop(ctx context.Context) error  { return r.client.Stop(ctx) }

// ScheduleRolloutStep queues a rollout batch.
func (r *Runner) ScheduleRolloutStep(ctx context.Context, rolloutID string, batch int) error {
	_, err := r.client.Insert(ctx, RolloutStepArgs{RolloutID: rolloutID, Batch: batch}, nil)
	return err
}

// ScheduleProvisionFollowup queues the online check of a new device.
func (r *Runner) ScheduleProvisionFollowup(ctx context.Context, device string) error {
	_, err := r.client.Insert(ctx, ProvisionFollowupArgs{Device: device}, &river.InsertOpts{ScheduledAt: time.Now().Add(5 * time.Minute)})
	return err
}
