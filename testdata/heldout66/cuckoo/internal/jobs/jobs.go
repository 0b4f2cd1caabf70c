// Package jobs schedules the ingestion service's periodic work with gocron:
// the offline sweep, hourly rollups, the rollout failure guard and the nightly
// thresholds audit.
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/google/uuid"

	"github.com/tidewater-iot/cuckoo/internal/fleet"
	"github.com/tidewater-iot/cuckoo/internal/kvstore"
	"github.com/tidewater-iot/cuckoo/internal/ota"
)

// Counter is what the rollup needs from the ingestor.
type Counter interface {
	DrainCounts() map[string]int
}

// Config holds the job settings read from the environment by cmd/ingestd.
type Config struct {
	SweepEvery     time.Duration
	OfflineAfter   time.Duration
	GuardEvery     time.Duration
	MaxFailRatio   float64
	AuditCron      string
	GuardPageLimit int
}

// Runner owns the scheduler.
type Runner struct {
	ns      *kvstore.Namespace
	ota     *ota.Tracker
	counter Counter
	cfg     Config
	log     *slog.Logger
	sched   gocron.Scheduler
}

// New creates the scheduler and registers all jobs. Jobs are guarded by a KV
// lock so that only one ingestd replica runs each tick.
func New(ns *kvstore.Namespace, tr *ota.Tracker, c Counter, cfg Config, log *slog.Logger) (*Runner, error) {
	host, _ := os.Hostname()
	s, err := gocron.NewScheduler(
		gocron.WithDistributedLocker(&kvLocker{ns: ns, owner: host}),
		gocron.WithLocation(time.UTC),
		gocron.WithStopTimeout(30*time.Second),
	)
	if err != nil {
		return nil, err
	}
	r := &Runner{ns: ns, ota: tr, counter: c, cfg: cfg, log: log, sched: s}
	listeners := gocron.WithEventListeners(
		gocron.BeforeJobRuns(r.beat),
		gocron.AfterJobRunsWithError(func(_ uuid.UUID, name string, err error) {
			log.Error("job failed", "job", name, "err", err)
		}),
	)
	defs := []struct {
		name string
		def  gocron.JobDefinition
		task gocron.Task
	}{
		{"offline-sweep", gocron.DurationJob(cfg.SweepEvery), gocron.NewTask(r.sweepOffline)},
		{"hourly-rollup", gocron.CronJob("0 * * * *", false), gocron.NewTask(r.rollup)},
		{"rollout-guard", gocron.DurationJob(cfg.GuardEvery), gocron.NewTask(r.guardRollouts)},
		{"thresholds-audit", gocron.CronJob(cfg.AuditCron, false), gocron.NewTask(r.auditThresholds)},
		{"seed-defaults", gocron.OneTimeJob(gocron.OneTimeJobStartImmediately()), gocron.NewTask(r.seedDefaults)},
	}
	for _, d := range defs {
		if _, err := s.NewJob(d.def, d.task,
			gocron.WithName(d.name),
			gocron.WithSingletonMode(gocron.LimitModeReschedule),
			listeners,
		); err != nil {
			return nil, fmt.Errorf("job %s: %w", d.name, err)
		}
	}
	return r, nil
}

func (r *Runner) Start()                             { r.sched.Start() }
func (r *Runner) Shutdown(ctx context.Context) error { return r.sched.ShutdownWithContext(ctx) }

// beat records when each job last started, for the ops dashboard.
func (r *Runner) beat(_ uuid.UUID, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = r.ns.Put(ctx, "jobs/heartbeat/"+name, []byte(time.Now().UTC().Format(time.RFC3339)), 24*time.Hour)
}

// sweepOffline marks registered devices whose last-seen stamp is older than
// OfflineAfter (or gone) as offline.
func (r *Runner) sweepOffline(ctx context.Context) error {
	cursor := ""
	cutoff := time.Now().Add(-r.cfg.OfflineAfter).Unix()
	var offline []string
	for {
		page, err := r.ns.ListPage(ctx, "device:", cursor, 1000) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			serial := strings.TrimPrefix(k.Name, "device:")
			raw, err := r.ns.Get(ctx, fleet.LastSeenKey(serial)) // EXPECT kvlist
			if errors.Is(err, kvstore.ErrNotFound) {
				offline = append(offline, serial)
				continue
			}
			if err != nil {
				return err
			}
			if ts, _ := strconv.ParseInt(string(raw), 10, 64); ts < cutoff {
				offline = append(offline, serial)
			}
		}
		if page.Cursor == "" {
			break
		}
		cursor = page.Cursor
	}
	entries := make([]kvstore.Entry, 0, len(offline))
	for _, serial := range offline {
		entries = append(entries, kvstore.Entry{Key: "offline:" + serial, Value: "1", TTL: 2 * r.cfg.SweepEvery})
	}
	for batch := range slices.Chunk(entries, 10_000) {
		if err := r.ns.BulkPut(ctx, batch); err != nil {
			return err
		}
	}
	r.log.Info("offline sweep", "offline", len(offline))
	return nil
}

type hourly struct {
	Hour     string         `json:"hour"`
	Devices  int            `json:"devices"`
	Messages int            `json:"messages"`
	Top      map[string]int `json:"top"`
}

// rollup flushes the ingestor's per-device message counts into hourly buckets.
func (r *Runner) rollup(ctx context.Context) error {
	counts := r.counter.DrainCounts()
	hour := time.Now().UTC().Truncate(time.Hour).Format("2006010215")
	sum := hourly{Hour: hour, Devices: len(counts), Top: map[string]int{}}
	for dev, n := range counts {
		sum.Messages += n
		if n > 1000 {
			sum.Top[dev] = n
		}
		key := "stats/msgcount/" + dev + "/" + hour
		if err := r.ns.Put(ctx, key, []byte(strconv.Itoa(n)), 14*24*time.Hour); err != nil { // EXPECT kvcounter
			return err
		}
		progress, _ := json.Marshal(sum)
		if err := r.ns.Put(ctx, "rollup:latest", progress, 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	raw, _ := json.Marshal(sum)
	return r.ns.Put(ctx, "rollup:"+hour, raw, 30*24*time.Hour)
}

// guardRollouts pauses rollouts whose failure ratio exceeds MaxFailRatio. It
// reads at most GuardPageLimit pages of rollout keys per tick and resumes from
// the stored cursor on the next tick.
func (r *Runner) guardRollouts(ctx context.Context) error {
	cursor := ""
	if raw, err := r.ns.Get(ctx, "jobs/guard-cursor"); err == nil {
		cursor = string(raw)
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	for range max(r.cfg.GuardPageLimit, 1) {
		page, err := r.ns.ListPage(ctx, "ota/rollout/", cursor, 100)
		if err != nil {
			return err
		}
		names := make([]string, 0, len(page.Keys))
		for _, k := range page.Keys {
			names = append(names, k.Name)
		}
		values, err := r.ns.BulkGet(ctx, names)
		if err != nil {
			return err
		}
		for name, v := range values {
			var ro ota.Rollout
			if json.Unmarshal([]byte(v), &ro) != nil || ro.Paused {
				continue
			}
			done := len(ro.Completed) + len(ro.Failed)
			if done >= 20 && float64(len(ro.Failed))/float64(done) > r.cfg.MaxFailRatio {
				r.log.Warn("pausing rollout", "key", name, "failed", len(ro.Failed), "done", done)
				if err := r.ota.SetPaused(ctx, ro.Cohort, true); err != nil {
					return err
				}
			}
		}
		cursor = page.Cursor
		if cursor == "" {
			break
		}
	}
	return r.ns.Put(ctx, "jobs/guard-cursor", []byte(cursor), 0) // DEBATABLE kvrace
}

// auditThresholds logs devices whose thresholds hold no limits at all.
func (r *Runner) auditThresholds(ctx context.Context) error {
	cursor := ""
	for pages := 0; pages < 50; pages++ {
		page, err := r.ns.ListPage(ctx, "thresholds:", cursor, 1000)
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			raw, err := r.ns.Get(ctx, k.Name) // EXPECT kvlist
			if err != nil {
				continue
			}
			var th fleet.Thresholds
			if json.Unmarshal(raw, &th) == nil && len(th.Max)+len(th.Min) == 0 {
				r.log.Warn("device without thresholds", "key", k.Name)
			}
		}
		if cursor = page.Cursor; cursor == "" {
			return nil
		}
	}
	r.log.Warn("thresholds audit stopped at page budget")
	return nil
}

// seedDefaults writes the fleet default thresholds on first start.
func (r *Runner) seedDefaults(ctx context.Context) error {
	_, err := r.ns.Get(ctx, "thresholds:default")
	if err == nil || !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	def := fleet.Thresholds{
		Device: "default",
		Max:    map[string]float64{"temp_c": 85, "rssi_dbm": -30},
		Min:    map[string]float64{"battery_v": 3.3},
		Hold:   5 * time.Minute,
	}
	raw, _ := json.Marshal(def)
	return r.ns.Put(ctx, "thresholds:default", raw, 0) // DEBATABLE kvrace
}

// kvLocker implements gocron.Locker over KV so that only one replica runs a
// job per tick.
type kvLocker struct {
	ns    *kvstore.Namespace
	owner string
}

type kvLock struct {
	ns  *kvstore.Namespace
	key string
}

func (l *kvLocker) Lock(ctx context.Context, job string) (gocron.Lock, error) {
	key := "lock:job:" + job
	if _, err := l.ns.Get(ctx, key); err == nil {
		return nil, fmt.Errorf("job %s is locked", job)
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}
	if err := l.ns.Put(ctx, key, []byte(l.owner), 5*time.Minute); err != nil { // EXPECT kvrace
		return nil, err
	}
	return &kvLock{ns: l.ns, key: key}, nil
}

func (k *kvLock) Unlock(ctx context.Context) error {
	return k.ns.Delete(ctx, k.key)
}
