// Package jobs provides the decorators the scheduled tasks are wrapped in.
// A Job is a plain function; WithRetry, WithTimeout and Logged return new
// jobs that add behaviour around it.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"
)

// Job is one unit of scheduled work.
type Job func(ctx context.Context) error

// ErrPermanent marks failures that retrying cannot fix.
var ErrPermanent = errors.New("permanent failure")

// Permanent wraps err so WithRetry gives up at once.
func Permanent(err error) error { return fmt.Errorf("%w: %w", ErrPermanent, err) }

// WithTimeout bounds each run of job by d.
func WithTimeout(d time.Duration, job Job) Job {
	return func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, d)
		defer cancel()
		return job(ctx)
	}
}

// WithRetry runs job up to attempts times with exponential backoff.
func WithRetry(attempts int, backoff time.Duration, job Job) Job {
	return func(ctx context.Context) error {
		var err error
		wait := backoff
		for i := 0; i < attempts; i++ {
			if err = job(ctx); err == nil || errors.Is(err, ErrPermanent) {
				return err
			}
			select {
			case <-ctx.Done():
				return errors.Join(err, ctx.Err())
			case <-time.After(wait):
			}
			wait *= 2
		}
		return fmt.Errorf("after %d attempts: %w", attempts, err)
	}
}

// Logged logs the start, duration and outcome of job under name.
func Logged(name string, job Job) Job {
	return func(ctx context.Context) error {
		start := time.Now()
		err := job(ctx)
		if err != nil {
			log.Printf("job %s failed after %s: %v", name, time.Since(start), err)
			return err
		}
		log.Printf("job %s done in %s", name, time.Since(start))
		return nil
	}
}

// Sequence runs jobs in order and joins their errors; a failing job does not
// stop the ones after it.
func Sequence(js ...Job) Job {
	return func(ctx context.Context) error {
		var errs []error
		for _, j := range js {
			if err := j(ctx); err != nil {
				errs = append(errs, err)
			}
		}
		return errors.Join(errs...)
	}
}
