// Package jobs runs the periodic background work: snapshots, cache warming
// and sweeps. Several billingd replicas run at once, so each job run takes a
// lease first.
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"time"

	"example.com/billing/internal/keys"
	"example.com/billing/internal/storage"
)

// Job is a named periodic task.
type Job struct {
	Name  string
	Every time.Duration
	Run   func(ctx context.Context) error
}

type lease struct {
	Holder string    `json:"holder"`
	Until  time.Time `json:"until"`
}

// Scheduler runs jobs on their intervals.
type Scheduler struct {
	store storage.Store
	host  string
	log   *slog.Logger
	jobs  []Job
	now   func() time.Time
}

// NewScheduler returns a Scheduler identified as host.
func NewScheduler(store storage.Store, host string, log *slog.Logger) *Scheduler {
	return &Scheduler{store: store, host: host, log: log, now: time.Now}
}

// Add registers j.
func (s *Scheduler) Add(j Job) { s.jobs = append(s.jobs, j) }

// acquire takes the job's lease unless another live replica holds it.
func (s *Scheduler) acquire(ctx context.Context, j Job) (bool, error) {
	key := keys.New(keys.Jobs, j.Name, "lease").String()
	raw, err := s.store.Get(ctx, key)
	switch {
	case err == nil:
		var cur lease
		if json.Unmarshal(raw, &cur) == nil && cur.Holder != s.host && s.now().Before(cur.Until) {
			return false, nil
		}
	case !errors.Is(err, storage.ErrNotFound):
		return false, err
	}
	mine, _ := json.Marshal(lease{Holder: s.host, Until: s.now().Add(j.Every)})
	if err := s.store.Put(ctx, key, mine, storage.WithTTL(j.Every+time.Minute)); err != nil { // EXPECT kvrace
		return false, err
	}
	return true, nil
}

func (s *Scheduler) tick(ctx context.Context, j Job) {
	ok, err := s.acquire(ctx, j)
	if err != nil {
		s.log.Error("job lease", "job", j.Name, "err", err)
		return
	}
	if !ok {
		return
	}
	start := s.now()
	if err := j.Run(ctx); err != nil {
		s.log.Error("job failed", "job", j.Name, "err", err)
		return
	}
	status, _ := json.Marshal(map[string]any{"host": s.host, "at": start.UTC(), "took": s.now().Sub(start).String()})
	if err := s.store.Put(ctx, keys.New(keys.Jobs, j.Name, "last-success").String(), status); err != nil {
		s.log.Warn("job status", "job", j.Name, "err", err)
	}
}

// Start runs every job until ctx is cancelled.
func (s *Scheduler) Start(ctx context.Context) {
	var wg sync.WaitGroup
	for _, j := range s.jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTicker(j.Every)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					s.tick(ctx, j)
				}
			}
		}()
	}
	wg.Wait()
}
