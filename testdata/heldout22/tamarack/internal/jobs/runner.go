// Package jobs runs the scheduled maintenance tasks of the worker.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Job is one maintenance task.
type Job func(ctx context.Context) error

// Method adapts a method expression such as (*Heartbeat).Beat to a Job.
func Method[T any](recv *T, fn func(*T, context.Context) error) Job {
	return func(ctx context.Context) error { return fn(recv, ctx) }
}

// Runner dispatches cron triggers to jobs by name.
type Runner struct {
	jobs     map[string]Job
	schedule map[string][]string
	log      *slog.Logger
}

// NewRunner returns an empty Runner.
func NewRunner(log *slog.Logger) *Runner {
	return &Runner{jobs: make(map[string]Job), schedule: make(map[string][]string), log: log}
}

// Register adds job under name and schedules it on each cron expression.
func (r *Runner) Register(name string, job Job, crons ...string) {
	r.jobs[name] = job
	for _, c := range crons {
		r.schedule[c] = append(r.schedule[c], name)
	}
}

// Run runs every job scheduled on cron and joins their errors.
func (r *Runner) Run(ctx context.Context, cron string) error {
	names := r.schedule[cron]
	if len(names) == 0 {
		r.log.Warn("no jobs for trigger", "cron", cron)
		return nil
	}
	var errs []error
	for _, n := range names {
		start := time.Now()
		err := r.jobs[n](ctx)
		r.log.Info("job finished", "job", n, "took", time.Since(start), "err", err)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", n, err))
		}
	}
	return errors.Join(errs...)
}
