// Package jobs runs the periodic background jobs. Every replica runs the
// scheduler; the jobs tolerate running in several replicas at once.
package jobs

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"example.com/otter/internal/kvport"
)

type job struct {
	name  string
	every time.Duration
	run   func(ctx context.Context) error
}

// Scheduler runs jobs on tickers and records each job's last run.
type Scheduler struct {
	jobs   []job
	status kvport.Store
	log    *slog.Logger
}

func New(status kvport.Store, log *slog.Logger) *Scheduler {
	return &Scheduler{status: status, log: log}
}

// Add registers a job. Intervals under a minute are raised to a minute.
func (s *Scheduler) Add(name string, every time.Duration, run func(context.Context) error) {
	s.jobs = append(s.jobs, job{name: name, every: max(every, time.Minute), run: run})
}

// Start launches one goroutine per job.
func (s *Scheduler) Start(ctx context.Context) (wait func()) {
	var wg sync.WaitGroup
	for _, j := range s.jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTicker(j.every)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
				runCtx, cancel := context.WithTimeout(ctx, j.every)
				if err := j.run(runCtx); err != nil {
					s.log.Error("job failed", "job", j.name, "err", err)
				}
				cancel()
				stamp := strconv.AppendInt(nil, time.Now().Unix(), 10)
				if err := s.status.Put(ctx, j.name+":last-run", stamp, &kvport.PutOpts{TTL: 7 * 24 * time.Hour}); err != nil {
					s.log.Warn("record job run", "job", j.name, "err", err)
				}
			}
		}()
	}
	return wg.Wait
}
