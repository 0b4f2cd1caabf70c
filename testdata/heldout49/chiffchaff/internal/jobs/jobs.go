// Package jobs runs periodic background work for both services.
package jobs

import (
	"context"
	"errors"
	"log"
	"time"
)

// Job is one unit of periodic work.
type Job interface {
	Name() string
	Run(ctx context.Context) error
}

// Scheduler runs every registered job once per tick, in order.
type Scheduler struct {
	Tick    time.Duration
	Timeout time.Duration
	Logf    func(format string, args ...any)

	jobs []Job
}

// Register adds jobs to the scheduler.
func (s *Scheduler) Register(jobs ...Job) { s.jobs = append(s.jobs, jobs...) }

// Jobs returns the registered jobs.
func (s *Scheduler) Jobs() []Job { return s.jobs }

// RunOnce runs every job once and returns the joined errors.
func (s *Scheduler) RunOnce(ctx context.Context) error {
	var errs []error
	for _, j := range s.jobs {
		jctx, cancel := context.WithTimeout(ctx, s.timeout())
		start := time.Now()
		err := j.Run(jctx)
		cancel()
		if err != nil {
			errs = append(errs, err)
		}
		s.logf("job %s finished in %s err=%v", j.Name(), time.Since(start).Round(time.Millisecond), err)
	}
	return errors.Join(errs...)
}

// Start runs the jobs on every tick until ctx is done.
func (s *Scheduler) Start(ctx context.Context) {
	t := time.NewTicker(s.Tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			_ = s.RunOnce(ctx)
		}
	}
}

func (s *Scheduler) timeout() time.Duration {
	if s.Timeout > 0 {
		return s.Timeout
	}
	return 50 * time.Second
}

func (s *Scheduler) logf(format string, args ...any) {
	if s.Logf != nil {
		s.Logf(format, args...)
		return
	}
	log.Printf(format, args...)
}
