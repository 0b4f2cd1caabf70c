// Package sched runs periodic maintenance callbacks, either from a ticker in a
// long-running process or from a cron trigger.
package sched

import (
	"context"
	"log"
	"sync"
	"time"
)

// Job is a periodic callback.
type Job func(context.Context) error

type entry struct {
	name  string
	every time.Duration
	run   Job
	last  time.Time
}

// Scheduler holds registered jobs.
type Scheduler struct {
	mu   sync.Mutex
	jobs []*entry
}

// New returns an empty Scheduler.
func New() *Scheduler { return &Scheduler{} }

// EveryNamed registers fn to run at most once per interval.
func (s *Scheduler) EveryNamed(name string, interval time.Duration, fn Job) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.jobs = append(s.jobs, &entry{name: name, every: interval, run: fn})
}

// RunDue runs every job whose interval has elapsed at now. Cron triggers call
// it once per tick; each job's interval is a multiple of the cron period.
func (s *Scheduler) RunDue(ctx context.Context, now time.Time) error {
	s.mu.Lock()
	var due []*entry
	for _, e := range s.jobs {
		if e.last.IsZero() || now.Sub(e.last) >= e.every {
			e.last = now
			due = append(due, e)
		}
	}
	s.mu.Unlock()

	var firstErr error
	for _, e := range due {
		if err := e.run(ctx); err != nil {
			log.Printf("sched: %s: %v", e.name, err)
			if firstErr == nil {
				firstErr = err
			}
		}
	}
	return firstErr
}

// Run ticks at resolution until ctx ends.
func (s *Scheduler) Run(ctx context.Context, resolution time.Duration) error {
	t := time.NewTicker(resolution)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case now := <-t.C:
			_ = s.RunDue(ctx, now)
		}
	}
}
