// Package jobs holds the River job workers and periodic jobs. River calls
// Work on the registered workers; nothing in the service calls them
// directly.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go"
	"github.com/riverqueue/river"

	"github.com/redshank-labs/redshank/internal/config"
	"github.com/redshank-labs/redshank/internal/experiments"
	"github.com/redshank-labs/redshank/internal/kvstore"
)

// Deps is what the workers share.
type Deps struct {
	Exps    *kvstore.Namespace
	Sess    *kvstore.Namespace
	Metrics *kvstore.Namespace
	Cfg     *config.Config
	Log     *slog.Logger
}

// Register adds every worker to w.
func Register(w *river.Workers, d Deps) {
	river.AddWorker(w, &RollupWorker{d: d})
	river.AddWorker(w, &SnapshotWorker{d: d})
	river.AddWorker(w, &CloseExperimentWorker{d: d})
	river.AddWorker(w, &BucketTableWorker{d: d})
	river.AddWorker(w, &SweepWorker{d: d})
	river.AddWorker(w, &ManifestWorker{d: d})
	river.AddWorker(w, &RotateIngestTokenWorker{d: d})
}

// ---- rollup ----

type RollupArgs struct {
	ExperimentID string `json:"experimentId"`
	Day          string `json:"day"`
}

func (RollupArgs) Kind() string { return "exposure_rollup" }

// RollupWorker copies the running exposure counters into per-day rollups.
type RollupWorker struct {
	river.WorkerDefaults[RollupArgs]
	d Deps
}

func (w *RollupWorker) Work(ctx context.Context, job *river.Job[RollupArgs]) error {
	var e experiments.Experiment
	if err := w.d.Exps.GetJSON(ctx, experiments.ExperimentKey(job.Args.ExperimentID), &e); err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			return river.JobCancel(err)
		}
		return err
	}
	day := job.Args.Day
	const retention = 90 * 24 * time.Hour
	for _, v := range e.Variants {
		raw, _ := w.d.Metrics.Get(ctx, experiments.ExposureKey(e.ID, v.Name)) // EXPECT kvnull
		n, _ := strconv.Atoi(string(raw))
		body := fmt.Sprintf(`{"variant":%q,"day":%q,"exposures":%d}`, v.Name, day, n)
		if err := w.d.Metrics.PutTTL(ctx, experiments.RollupKey(e.ID, day, v.Name), []byte(body), retention); err != nil {
			return err
		}
		progress := fmt.Sprintf(`{"day":%q,"variant":%q}`, day, v.Name)
		if err := w.d.Metrics.Put(ctx, experiments.SummaryKey(e.ID)+":progress", []byte(progress)); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	if err := recordRollupDay(ctx, w.d.Metrics, e.ID, day, e.Variants); err != nil {
		return err
	}
	// The console polls this key to show a "new data" badge; it only needs
	// to outlive one polling interval.
	return w.d.Metrics.PutCached(ctx, "console:rollup-done:"+e.ID, []byte(day), 20*time.Second)
}

// recordRollupDay notes in the experiment's summary that day was rolled up.
func recordRollupDay(ctx context.Context, ns *kvstore.Namespace, expID, day string, variants []experiments.Variant) error {
	key := experiments.SummaryKey(expID)
	var st experiments.RollupState
	if err := ns.GetJSON(ctx, key, &st); err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	if !slices.Contains(st.Days, day) {
		st.Days = append(st.Days, day)
		slices.Sort(st.Days)
	}
	if st.LastDay == nil {
		st.LastDay = map[string]string{}
	}
	for _, v := range variants {
		st.LastDay[v.Name] = day
	}
	st.UpdatedAt = time.Now().UTC()
	return ns.PutJSON(ctx, key, st, 0) // EXPECT kvrace
}

// ---- snapshot ----

type SnapshotArgs struct {
	ExperimentID string `json:"experimentId"`
}

func (SnapshotArgs) Kind() string { return "experiment_snapshot" }

// SnapshotWorker keeps point-in-time copies of an experiment definition
// for the audit view.
type SnapshotWorker struct {
	river.WorkerDefaults[SnapshotArgs]
	d Deps
}

// Timeout bounds one snapshot; a stuck API call is retried by River.
func (w *SnapshotWorker) Timeout(*river.Job[SnapshotArgs]) time.Duration { return 45 * time.Second }

func (w *SnapshotWorker) Work(ctx context.Context, job *river.Job[SnapshotArgs]) error {
	marker := "snapshot-running:" + job.Args.ExperimentID
	if err := w.d.Metrics.PutTTL(ctx, marker, []byte(strconv.FormatInt(job.ID, 10)), w.Timeout(job)); err != nil { // EXPECT kvttl
		return err
	}
	defer func() {
		if err := w.d.Metrics.Delete(context.WithoutCancel(ctx), marker); err != nil {
			w.d.Log.Warn("clearing snapshot marker", "err", err)
		}
	}()
	raw, err := w.d.Exps.Get(ctx, experiments.ExperimentKey(job.Args.ExperimentID))
	if err != nil {
		if kvstore.IsNotFound(err) {
			return river.JobCancel(err)
		}
		return err
	}
	key := experiments.SnapshotKey(job.Args.ExperimentID, time.Now())
	return w.d.Exps.PutTTL(ctx, key, raw, w.d.Cfg.Jobs.SnapshotRetention)
}

// ---- close ----

type CloseExperimentArgs struct {
	ExperimentID string    `json:"experimentId"`
	EndsAt       time.Time `json:"endsAt"`
}

func (CloseExperimentArgs) Kind() string { return "experiment_close" }

// CloseExperimentWorker runs when an experiment starts and publishes the
// keys the edge uses to know it is live until its end.
type CloseExperimentWorker struct {
	river.WorkerDefaults[CloseExperimentArgs]
	d Deps
}

func (w *CloseExperimentWorker) Work(ctx context.Context, job *river.Job[CloseExperimentArgs]) error {
	id := job.Args.ExperimentID
	if !job.Args.EndsAt.After(time.Now()) {
		return w.d.Exps.Delete(ctx, experiments.LiveKey(id))
	}

	until := []byte(job.Args.EndsAt.Format(time.RFC3339))
	if err := w.d.Exps.PutTTL(ctx, experiments.LiveKey(id), until, time.Until(job.Args.EndsAt)); err != nil { // EXPECT kvttl
		return err
	}

	// The banner stays up a little past the end so the results link is visible.
	banner := max(time.Until(job.Args.EndsAt.Add(time.Hour)), time.Minute)
	msg := fmt.Sprintf(`{"experiment":%q,"endsAt":%q}`, id, job.Args.EndsAt.Format(time.RFC3339))
	return w.d.Exps.PutTTL(ctx, "banner:"+id, []byte(msg), banner)
}

// ---- bucket table ----

type BucketTableArgs struct {
	ExperimentID string `json:"experimentId"`
}

func (BucketTableArgs) Kind() string { return "bucket_table" }

// bucketCount is the granularity of the precomputed assignment table the
// edge uses for hashed units.
const bucketCount = 1 << 14

// BucketTableWorker precomputes bucket → variant for an experiment.
type BucketTableWorker struct {
	river.WorkerDefaults[BucketTableArgs]
	d Deps
}

func (w *BucketTableWorker) Work(ctx context.Context, job *river.Job[BucketTableArgs]) error {
	var e experiments.Experiment
	if err := w.d.Exps.GetJSON(ctx, experiments.ExperimentKey(job.Args.ExperimentID), &e); err != nil {
		return err
	}
	pairs := make([]*cloudflare.WorkersKVPair, 0, bucketCount)
	for b := range bucketCount {
		v, ok := e.Assign(fmt.Sprintf("bucket-%05d", b))
		if !ok {
			continue
		}
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:   fmt.Sprintf("%s:%05d", experiments.BucketTableKey(e.ID), b),
			Value: v.Name,
		})
	}
	return w.d.Exps.PutMany(ctx, pairs) // EXPECT kvlimits
}

// ---- rotate ingest token ----

type RotateIngestTokenArgs struct{}

func (RotateIngestTokenArgs) Kind() string { return "rotate_ingest_token" }

// RotateIngestTokenWorker rotates the bearer token the edge Worker uses to
// post exposure batches back to the API.
type RotateIngestTokenWorker struct {
	river.WorkerDefaults[RotateIngestTokenArgs]
	d Deps
}

func (w *RotateIngestTokenWorker) Work(ctx context.Context, job *river.Job[RotateIngestTokenArgs]) error {
	tok := fmt.Sprintf(`{"token":%q,"issuedAt":%q,"job":%d}`, newIngestToken(), time.Now().UTC().Format(time.RFC3339), job.ID)
	return w.d.Sess.Put(ctx, "ingest:token", []byte(tok)) // EXPECT kvsession
}
