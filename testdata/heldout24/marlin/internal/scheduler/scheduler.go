// Package scheduler runs periodic background jobs.
package scheduler

import (
	"context"
	"fmt"
	"log"
	"sync"
	"time"
)

// Job is a periodic task.
type Job func(context.Context) error

type entry struct {
	name  string
	every time.Duration
	run   Job
}

// Scheduler runs registered jobs on fixed intervals. Only one run of a job
// is in flight at a time; a tick that arrives while the job is still running
// is skipped.
type Scheduler struct {
	mu      sync.Mutex
	entries []entry
	logf    func(format string, args ...any)
}

// New returns an empty scheduler.
func New() *Scheduler {
	return &Scheduler{logf: log.Printf}
}

// Every registers fn to run every d.
func (s *Scheduler) Every(d time.Duration, fn Job) {
	s.Named(fmt.Sprintf("job-%d", len(s.entries)), d, fn)
}

// Named registers fn under a name used in logs.
func (s *Scheduler) Named(name string, d time.Duration, fn Job) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d <= 0 {
		panic("scheduler: non-positive interval for " + name)
	}
	s.entries = append(s.entries, entry{name: name, every: d, run: fn})
}

// Run starts every job and blocks until ctx is done.
func (s *Scheduler) Run(ctx context.Context) {
	s.mu.Lock()
	entries := append([]entry(nil), s.entries...)
	s.mu.Unlock()

	var wg sync.WaitGroup
	for _, e := range entries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.loop(ctx, e)
		}()
	}
	wg.Wait()

}

func (s *Scheduler) loop(ctx context.Context, e entry) {
	t := time.NewTicker(e.every)
	defer t.Stop()
	busy := make(chan struct{}, 1)
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			select {
			case busy <- struct{}{}:
			default:
				s.logf("scheduler: %s still running, tick skipped", e.name)
				continue
			}
			runCtx, cancel := context.WithTimeout(ctx, e.every)
			if err := e.run(runCtx); err != nil {
				s.logf("scheduler: %s: %v", e.name, err)
			}
			cancel()
			<-busy
		}
	}
}
