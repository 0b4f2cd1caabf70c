// Package sched runs periodic jobs. At the edge it is driven by the cron
// trigger; in the back office by a ticker.
package sched

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"
)

// Job is a unit of periodic work.
type Job func(ctx context.Context) error

type entry struct {
	name  string
	every time.Duration
	run   Job
	last  time.Time
}

// Scheduler holds registered jobs.
type Scheduler struct {
	mu      sync.Mutex
	entries []*entry
	hooks   map[string][]Job
	onError func(name string, err error)
}

// New returns an empty Scheduler.
func New(onError func(name string, err error)) *Scheduler {
	if onError == nil {
		onError = func(string, error) {}
	}
	return &Scheduler{hooks: map[string][]Job{}, onError: onError}
}

// Every registers job to run at most once per interval.
func (s *Scheduler) Every(interval time.Duration, name string, job Job) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.entries = append(s.entries, &entry{name: name, every: interval, run: job})
}

// On registers a hook for a named cron expression; the edge has several
// cron triggers and each maps to a list of hooks.
func (s *Scheduler) On(cron string, job Job) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hooks[cron] = append(s.hooks[cron], job)
}

// Fire runs the hooks registered for a cron expression.
func (s *Scheduler) Fire(ctx context.Context, cron string) error {
	s.mu.Lock()
	jobs := append([]Job(nil), s.hooks[cron]...)
	s.mu.Unlock()
	for i, j := range jobs {
		if err := j(ctx); err != nil {
			s.onError(fmt.Sprintf("%s#%d", cron, i), err)
		}
	}
	return nil
}

// RunDue runs every job whose interval has elapsed since its last run.
func (s *Scheduler) RunDue(ctx context.Context, now time.Time) int {
	s.mu.Lock()
	var due []*entry
	for _, e := range s.entries {
		if e.last.IsZero() || now.Sub(e.last) >= e.every {
			e.last = now
			due = append(due, e)
		}
	}
	s.mu.Unlock()
	sort.Slice(due, func(i, j int) bool { return due[i].name < due[j].name })
	for _, e := range due {
		if err := e.run(ctx); err != nil {
			s.onError(e.name, err)
		}
	}
	return len(due)
}

// Loop calls RunDue on every tick until ctx is done.
func (s *Scheduler) Loop(ctx context.Context, tick time.Duration) {
	t := time.NewTicker(tick)
	defer t.Stop()
	s.RunDue(ctx, time.Now())
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			s.RunDue(ctx, now)
		}
	}
}
