// Package jobs holds the maintenance jobs gamecron runs once per invocation;
// the platform scheduler decides how often.
package jobs

import (
	"context"
	"fmt"
	"log"
	"time"
)

// Job is one maintenance task.
type Job interface {
	Name() string
	Run(ctx context.Context) error
}

// Runner runs jobs one after another, each within its own budget.
type Runner struct {
	jobs   []Job
	budget time.Duration
	logger *log.Logger
}

// NewRunner returns a runner giving each job budget to finish.
func NewRunner(logger *log.Logger, budget time.Duration, jobs ...Job) *Runner {
	return &Runner{jobs: jobs, budget: budget, logger: logger}
}

// Run executes the jobs whose names are selected (all when none are).
func (r *Runner) Run(ctx context.Context, selected map[string]bool) error {
	var failed int
	for _, j := range r.jobs {
		if len(selected) > 0 && !selected[j.Name()] {
			continue
		}
		if err := r.runOne(ctx, j); err != nil {
			failed++
			r.logger.Printf("job %s: %v", j.Name(), err)
		}
	}
	if failed > 0 {
		return fmt.Errorf("jobs: %d failed", failed)
	}
	return nil
}

func (r *Runner) runOne(ctx context.Context, j Job) (err error) {
	start := time.Now()
	jctx, cancel := context.WithDeadline(ctx, start.Add(r.budget))
	defer cancel()
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic: %v", v)
		}
		r.logger.Printf("job %s finished in %s (err=%v)", j.Name(), time.Since(start).Round(time.Millisecond), err)
	}()
	done := make(chan error, 1)
	go func() { done <- j.Run(jctx) }()
	select {
	case err = <-done:
		return err
	case <-time.After(r.budget + 5*time.Second):
		return fmt.Errorf("abandoned after %s", r.budget)
	}
}
