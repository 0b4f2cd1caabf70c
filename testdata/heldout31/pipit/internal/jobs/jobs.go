// Package jobs runs periodic background work.
package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"example.com/pipit/internal/store"
)

// Job is one periodic task.
type Job struct {
	Name  string
	Every time.Duration
	Run   func(ctx context.Context) error
}

// Scheduler runs jobs on their own tickers.
type Scheduler struct {
	log  *slog.Logger
	jobs []Job
	wg   sync.WaitGroup
}

// NewScheduler returns an empty scheduler.
func NewScheduler(log *slog.Logger) *Scheduler { return &Scheduler{log: log} }

// Add registers a job; call before Start.
func (s *Scheduler) Add(jobs ...Job) { s.jobs = append(s.jobs, jobs...) }

// Start launches every job on its own ticker; each runs once right away.
func (s *Scheduler) Start(ctx context.Context) {
	for _, j := range s.jobs {
		s.wg.Go(func() {
			t := time.NewTicker(j.Every)
			defer t.Stop()
			for {
				rctx, cancel := context.WithTimeout(ctx, j.Every)
				if err := j.Run(rctx); err != nil {
					s.log.ErrorContext(ctx, "job failed", "job", j.Name, "err", err)
				}
				cancel()
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
			}
		})
	}
}

// Wait blocks until every job has stopped.
func (s *Scheduler) Wait() { s.wg.Wait() }

// Heartbeat records that the job runner of this deployment is alive.
func Heartbeat(kv store.KV, instance string) Job {
	return Job{Name: "heartbeat", Every: 5 * time.Minute, Run: func(ctx context.Context) error {
		b, _ := json.Marshal(map[string]any{"instance": instance, "at": time.Now().UTC()})
		return kv.Put(ctx, "jobs:heartbeat", b, store.WithTTL(15*time.Minute))
	}}
}

// ReportCache is where rendered reports are kept for the dashboard.
type ReportCache interface {
	Store(ctx context.Context, key string, value []byte, ttl time.Duration) error
}

// ReportSource runs reporting queries against the warehouse.
type ReportSource interface {
	Query(ctx context.Context, sql string, args ...any) ([]map[string]any, error)
}

// adrByChannelSQL is the average daily rate per sales channel for the last 30 days.
const adrByChannelSQL = `SELECT c.channel_code, c.display_name, p.property_id,
       COUNT(*) AS room_nights,
       ROUND(AVG(bn.nightly_rate_cents) / 100.0, 2) AS adr,
       ROUND(SUM(bn.nightly_rate_cents) / 100.0, 2) AS revenue,
       ROUND(SUM(bn.commission_cents) / 100.0, 2) AS commission,
       ROUND(100.0 * SUM(bn.commission_cents) / NULLIF(SUM(bn.nightly_rate_cents), 0), 1) AS commission_pct
  FROM booking_nights bn
  JOIN bookings b ON b.booking_id = bn.booking_id AND b.status IN ('confirmed', 'checked_in', 'checked_out')
  JOIN channels c ON c.channel_id = b.channel_id
  JOIN properties p ON p.property_id = b.property_id
 WHERE bn.night >= CURRENT_DATE - INTERVAL '30 days' AND bn.night < CURRENT_DATE
 GROUP BY c.channel_code, c.display_name, p.property_id
 ORDER BY revenue DESC`

// ChannelReport caches the channel performance report, keyed by its query so
// that a changed query never serves an old result.
func ChannelReport(cache ReportCache, src ReportSource) Job {
	return Job{Name: "channel-report", Every: time.Hour, Run: func(ctx context.Context) error {
		rows, err := src.Query(ctx, adrByChannelSQL)
		if err != nil {
			return err
		}
		b, err := json.Marshal(rows)
		if err != nil {
			return err
		}
		return cache.Store(ctx, "report:"+adrByChannelSQL, b, 2*time.Hour) // EXPECT kvlimits
	}}
}

// PerProperty runs fn for each property in turn and reports all failures.
func PerProperty(name string, every time.Duration, properties []string, fn func(ctx context.Context, propertyID string) error) Job {
	return Job{Name: name, Every: every, Run: func(ctx context.Context) error {
		var failed []string
		for _, p := range properties {
			if err := fn(ctx, p); err != nil {
				failed = append(failed, fmt.Sprintf("%s: %v", p, err))
			}
		}
		if len(failed) > 0 {
			return fmt.Errorf("%s failed for %d properties: %v", name, len(failed), failed)
		}
		return nil
	}}
}
