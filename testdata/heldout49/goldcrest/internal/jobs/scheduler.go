// Package jobs runs the backend's periodic jobs: nightly housekeeping of
// the KV namespaces and the figures the depot dashboards read.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"goldcrest/internal/clock"
)

// Job is one periodic job.
type Job interface {
	Name() string
	Run(context.Context) error
}

// Scheduler runs its jobs in registration order on every tick.
type Scheduler struct {
	jobs    []Job
	clock   clock.Clock
	every   time.Duration
	timeout time.Duration
	logger  *log.Logger
}

// NewScheduler returns a Scheduler that ticks every interval and gives each
// job at most timeout.
func NewScheduler(c clock.Clock, every, timeout time.Duration, logger *log.Logger) *Scheduler {
	return &Scheduler{clock: c, every: every, timeout: timeout, logger: logger}
}

// Register adds jobs.
func (s *Scheduler) Register(jobs ...Job) { s.jobs = append(s.jobs, jobs...) }

// RunOnce runs every job once and joins their errors.
func (s *Scheduler) RunOnce(ctx context.Context) error {
	var errs []error
	for _, j := range s.jobs {
		start := s.clock.Now()
		jctx, cancel := context.WithTimeout(ctx, s.timeout)
		err := j.Run(jctx)
		cancel()
		if err != nil {
			s.logger.Printf("job %s failed after %s: %v", j.Name(), s.clock.Now().Sub(start), err)
			errs = append(errs, fmt.Errorf("%s: %w", j.Name(), err))
			continue
		}
		s.logger.Printf("job %s ok in %s", j.Name(), s.clock.Now().Sub(start))
	}
	return errors.Join(errs...)
}

// Loop runs the jobs on every tick until ctx is done.
func (s *Scheduler) Loop(ctx context.Context) error {
	t := time.NewTicker(s.every)
	defer t.Stop()
	for {
		if err := s.RunOnce(ctx); err != nil {
			s.logger.Printf("tick: %v", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
