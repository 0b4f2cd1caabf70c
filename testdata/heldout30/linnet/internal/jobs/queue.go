// Package jobs is a small in-process work queue. Jobs are closures; whatever
// they need (keys, values, services) is captured when they are pushed.
package jobs

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// Job is one unit of deferred work.
type Job func(ctx context.Context) error

type named struct {
	name string
	run  Job
}

// Queue buffers jobs and runs them one at a time on a dispatcher goroutine.
type Queue struct {
	ch    chan named
	log   *slog.Logger
	close sync.Once
	done  chan struct{}
}

// New returns a queue with room for depth pending jobs.
func New(depth int, log *slog.Logger) *Queue {
	return &Queue{ch: make(chan named, depth), log: log, done: make(chan struct{})}
}

// TryPush enqueues job without blocking; a full queue drops it.
func (q *Queue) TryPush(name string, job Job) error {
	select {
	case q.ch <- named{name: name, run: job}:
		return nil
	default:
		q.log.Warn("job dropped", "job", name)
		return errors.New("jobs: queue full")
	}
}

// Run dispatches jobs until the queue is closed and drained. Start it once,
// on its own goroutine.
func (q *Queue) Run(ctx context.Context) {
	defer close(q.done)
	for j := range q.ch {
		jctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		if err := j.run(jctx); err != nil {
			q.log.Warn("job failed", "job", j.name, "err", err)
		}
		cancel()
	}
}

// Close waits, up to ctx's deadline, for queued jobs to finish. Call it
// after the HTTP server has stopped, so nothing pushes any more.
func (q *Queue) Close(ctx context.Context) error {
	q.close.Do(func() { close(q.ch) })
	select {
	case <-q.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
