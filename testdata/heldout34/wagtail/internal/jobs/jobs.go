// Package jobs holds wagtail's background jobs and the decorators that run
// them with deadlines, retries and a KV lock.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"time"

	"wagtail/internal/kvstore"
)

// Job is one unit of background work.
type Job func(ctx context.Context) error

// ErrLocked is returned when another runner holds the job's lock.
var ErrLocked = errors.New("jobs: locked by another runner")

// WithTimeout bounds each run of j by d.
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
			if err = j(ctx); err == nil || errors.Is(err, ErrLocked) {
				return err
			}
			select {
			case <-ctx.Done():
				return errors.Join(err, ctx.Err())
			case <-time.After(backoff << i):
			}
		}
		return fmt.Errorf("after %d attempts: %w", attempts, err)
	}
}

// WithLock runs j only when no other runner holds the named lock.
func WithLock(ns, name string, j Job) Job {
	host, _ := os.Hostname()
	return func(ctx context.Context) error {
		key := kvstore.KindLock.Key(name)
		if holder, err := kvstore.GetBytes(ctx, ns, key); err == nil {
			return fmt.Errorf("%w (%s)", ErrLocked, holder)
		} else if !kvstore.IsMiss(err) {
			return err
		}
		if err := kvstore.PutBytes(ctx, ns, key, []byte(host), kvstore.KindLock.TTL()); err != nil { // EXPECT kvrace
			return err
		}
		defer func() {
			if err := kvstore.Delete(context.WithoutCancel(ctx), ns, key); err != nil {
				log.Printf("jobs: release %s: %v", name, err)
			}
		}()
		return j(ctx)
	}
}

// Logged reports the outcome of each run.
func Logged(name string, j Job) Job {
	return func(ctx context.Context) error {
		start := time.Now()
		err := j(ctx)
		switch {
		case errors.Is(err, ErrLocked):
			log.Printf("job %s: skipped, %v", name, err)
		case err != nil:
			log.Printf("job %s: failed after %s: %v", name, time.Since(start).Round(time.Millisecond), err)
		default:
			log.Printf("job %s: ok in %s", name, time.Since(start).Round(time.Millisecond))
		}
		return err
	}
}
