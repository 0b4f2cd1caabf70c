// Package jobs runs the backend's periodic maintenance: reporting pending
// confirmations, purging old exports, rebuilding the suppression digest,
// importing the disposable-domain blocklist and caching list sizes.
package jobs

import (
	"context"
	"errors"
	"log"
	"sync"
	"time"
)

// ErrStopTimeout is returned by Stop when running jobs did not finish.
var ErrStopTimeout = errors.New("jobs: timed out waiting for running jobs")

// Job is one periodic task.
type Job struct {
	Name  string
	Every time.Duration
	Run   func(ctx context.Context) error
}

// Runner runs jobs on timers. Each run gets a deadline of half its period
// so that a slow run never overlaps the next one.
type Runner struct {
	mu      sync.Mutex
	jobs    []Job
	timers  []*time.Timer
	stopped bool
	running sync.WaitGroup
}

// NewRunner returns a Runner; jobs are added with Add before Start.
func NewRunner() *Runner { return &Runner{} }

// Add registers a job.
func (r *Runner) Add(j Job) { r.jobs = append(r.jobs, j) }

// Start arms every job's timer. Jobs run with ctx as their parent.
func (r *Runner) Start(ctx context.Context) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, j := range r.jobs {
		r.arm(ctx, j)
	}
}

// arm must be called with r.mu held.
func (r *Runner) arm(ctx context.Context, j Job) {
	if r.stopped {
		return
	}
	every := max(j.Every, time.Minute)
	r.timers = append(r.timers, time.AfterFunc(every, func() {
		r.running.Add(1)
		defer r.running.Done()
		defer func() {
			if v := recover(); v != nil {
				log.Printf("jobs: %s panicked: %v", j.Name, v)
			}
			r.mu.Lock()
			r.arm(ctx, j)
			r.mu.Unlock()
		}()
		jctx, cancel := context.WithDeadline(ctx, time.Now().Add(every/2))
		defer cancel()
		if err := j.Run(jctx); err != nil {
			log.Printf("jobs: %s: %v", j.Name, err)
		}
	}))
}

// Stop disarms all timers and waits up to timeout for running jobs.
func (r *Runner) Stop(timeout time.Duration) error {
	r.mu.Lock()
	r.stopped = true
	for _, t := range r.timers {
		t.Stop()
	}
	r.mu.Unlock()
	done := make(chan struct{})
	go func() {
		r.running.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-time.After(timeout):
		return ErrStopTimeout
	}
}
