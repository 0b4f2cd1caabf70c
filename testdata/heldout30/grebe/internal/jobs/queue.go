// Package jobs runs background work as closures on a buffered channel.
package jobs

import (
	"context"
	"errors"
	"log/slog"
)

// Job is a unit of background work. Jobs capture whatever they need.
type Job func(context.Context) error

// ErrFull is returned by Push when the buffer is full.
var ErrFull = errors.New("jobs: queue full")

// Queue buffers jobs for a single dispatcher.
type Queue struct {
	ch  chan namedJob
	log *slog.Logger
}

type namedJob struct {
	name string
	run  Job
}

// New returns a queue holding up to size pending jobs.
func New(size int, log *slog.Logger) *Queue {
	if log == nil {
		log = slog.Default()
	}
	return &Queue{ch: make(chan namedJob, size), log: log}
}

// Push enqueues a job without blocking.
func (q *Queue) Push(name string, j Job) error {
	select {
	case q.ch <- namedJob{name: name, run: j}:
		return nil
	default:
		return ErrFull
	}
}

// Run dispatches jobs one at a time until ctx is done.
func (q *Queue) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case j := <-q.ch:
			q.run(ctx, j)
		}
	}
}

// Drain runs the jobs already queued and returns; used at the end of a
// Worker invocation, where there is no long-lived dispatcher.
func (q *Queue) Drain(ctx context.Context) {
	for {
		select {
		case j := <-q.ch:
			q.run(ctx, j)
		default:
			return
		}
	}
}

func (q *Queue) run(ctx context.Context, j namedJob) {
	defer func() {
		if p := recover(); p != nil {
			q.log.Error("job panicked", "job", j.name, "panic", p)
		}
	}()
	if err := j.run(ctx); err != nil {
		q.log.Warn("job failed", "job", j.name, "err", err)
	}
}
