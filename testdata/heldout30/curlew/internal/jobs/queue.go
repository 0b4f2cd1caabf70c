// Package jobs runs background work as closures on a single dispatcher.
package jobs

import (
	"context"
	"log/slog"
	"time"
)

const jobTimeout = 30 * time.Second

// Job is one unit of background work.
type Job func(context.Context) error

// Queue is a bounded FIFO of jobs drained by one dispatcher goroutine, so
// jobs never run concurrently with each other.
type Queue struct {
	ch  chan namedJob
	log *slog.Logger
}

type namedJob struct {
	name string
	run  Job
}

// NewQueue returns a queue holding at most size pending jobs.
func NewQueue(size int, log *slog.Logger) *Queue {
	if log == nil {
		log = slog.Default()
	}
	return &Queue{ch: make(chan namedJob, max(size, 1)), log: log}
}

// Push enqueues j without blocking. It reports false when the queue is full.
func (q *Queue) Push(name string, j Job) bool {
	select {
	case q.ch <- namedJob{name: name, run: j}:
		return true
	default:
		q.log.Warn("job queue full, dropping job", "job", name)
		return false
	}
}

// Run dispatches jobs until ctx is done.
func (q *Queue) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case j := <-q.ch:
			q.runOne(ctx, j)
		}
	}
}

func (q *Queue) runOne(ctx context.Context, j namedJob) {
	ctx, cancel := context.WithTimeout(ctx, jobTimeout)
	defer cancel()
	start := time.Now()
	if err := j.run(ctx); err != nil {
		q.log.ErrorContext(ctx, "job failed", "job", j.name, "err", err, "took", time.Since(start))
	}
}

// Every pushes j onto q once per interval until ctx is done.
func Every(ctx context.Context, q *Queue, name string, interval time.Duration, j Job) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			q.Push(name, j)
		}
	}
}
