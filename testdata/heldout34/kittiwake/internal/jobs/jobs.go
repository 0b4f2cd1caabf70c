// Package jobs runs background work (cron ticks in the Worker, subcommands in
// the ops tool) with timeouts and retries.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"
)

// Job is one unit of background work.
type Job func(ctx context.Context) error

// Permanent marks an error that must not be retried.
type Permanent struct{ Err error }

func (p *Permanent) Error() string { return p.Err.Error() }
func (p *Permanent) Unwrap() error { return p.Err }

// WithTimeout bounds a job's run time.
func WithTimeout(d time.Duration, j Job) Job {
	return func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, d)
		defer cancel()
		return j(ctx)
	}
}

// WithRetry runs j up to attempts times with exponential backoff.
func WithRetry(attempts int, backoff time.Duration, j Job) Job {
	return func(ctx context.Context) error {
		var err error
		for i := 0; i < attempts; i++ {
			if err = j(ctx); err == nil {
				return nil
			}
			var perm *Permanent
			if errors.As(err, &perm) {
				return perm.Err
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("%w (last error: %v)", ctx.Err(), err)
			case <-time.After(backoff << i):
			}
		}
		return fmt.Errorf("after %d attempts: %w", attempts, err)
	}
}

// Named logs the start, end and duration of a job.
func Named(name string, j Job) Job {
	return func(ctx context.Context) error {
		start := time.Now()
		err := j(ctx)
		if err != nil {
			log.Printf("job %s failed after %s: %v", name, time.Since(start).Round(time.Millisecond), err)
			return fmt.Errorf("%s: %w", name, err)
		}
		log.Printf("job %s done in %s", name, time.Since(start).Round(time.Millisecond))
		return nil
	}
}

// Sequence runs jobs in order and stops at the first error.
func Sequence(js ...Job) Job {
	return func(ctx context.Context) error {
		for _, j := range js {
			if err := j(ctx); err != nil {
				return err
			}
		}
		return nil
	}
}
