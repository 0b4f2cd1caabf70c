package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"example.com/ember/internal/kvstore"
)

type scheduled struct {
	spec Spec
	job  Job
}

// Scheduler runs the enabled jobs, each on its own timer.
type Scheduler struct {
	env   Env
	store kvstore.Store
	jobs  []scheduled
	log   *slog.Logger
}

// NewScheduler builds the jobs named in enabled.
func NewScheduler(env Env, enabled []string) (*Scheduler, error) {
	s := &Scheduler{env: env, store: env.Store, log: env.Logger}
	for _, name := range enabled {
		mu.Lock()
		spec, ok := registry[name]
		mu.Unlock()
		if !ok {
			return nil, fmt.Errorf("jobs: unknown job %q (registered: %v)", name, Registered())
		}
		job, err := spec.Factory(env)
		if err != nil {
			return nil, fmt.Errorf("jobs: build %s: %w", name, err)
		}
		s.jobs = append(s.jobs, scheduled{spec: spec, job: job})
	}
	return s, nil
}

type heartbeat struct {
	Job      string    `json:"job"`
	Finished time.Time `json:"finished"`
	Took     string    `json:"took"`
	Error    string    `json:"error,omitempty"`
}

func heartbeatKey(job string) string { return "jobs:heartbeat:" + job }

const lastRunKey = "jobs:last-run"

// Run starts every job and blocks until ctx is cancelled.
func (s *Scheduler) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for _, sj := range s.jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.loop(ctx, sj)
		}()
	}
	wg.Wait()
}

func (s *Scheduler) loop(ctx context.Context, sj scheduled) {
	wait := sj.spec.Every
	if sj.spec.RunFirst {
		wait = 0
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		s.runOnce(ctx, sj)
		timer.Reset(sj.spec.Every)
	}
}

func (s *Scheduler) runOnce(ctx context.Context, sj scheduled) {
	runCtx, cancel := context.WithTimeout(ctx, sj.spec.Timeout)
	defer cancel()
	start := time.Now()
	err := sj.job.Run(runCtx)
	hb := heartbeat{Job: sj.spec.Name, Finished: time.Now(), Took: time.Since(start).String()}
	if err != nil {
		hb.Error = err.Error()
		s.log.Error("job failed", "job", sj.spec.Name, "err", err)
	}
	b, _ := json.Marshal(hb)
	if err := s.store.Put(ctx, heartbeatKey(sj.spec.Name), b, kvstore.TTL(max(3*sj.spec.Every, time.Hour))); err != nil {
		s.log.Warn("heartbeat write failed", "job", sj.spec.Name, "err", err)
	}
}

// RunAll runs every job once, in order, and records when each finished. It
// backs the admin "run now" button and the start-up warm-up.
func (s *Scheduler) RunAll(ctx context.Context) error {
	put := s.store.Put
	for _, sj := range s.jobs {
		if err := sj.job.Run(ctx); err != nil {
			return fmt.Errorf("%s: %w", sj.spec.Name, err)
		}
		stamp := []byte(sj.spec.Name + "@" + time.Now().UTC().Format(time.RFC3339))
		if err := put(ctx, lastRunKey, stamp); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}
