// Package retry runs an operation again with exponential backoff when it
// fails with a retryable error.
package retry

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"
)

// Permanent wraps an error that must not be retried.
type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// Stop marks err as not retryable.
func Stop(err error) error {
	if err == nil {
		return nil
	}
	return permanent{err}
}

// BaseDelay is the first backoff step.
var BaseDelay = 200 * time.Millisecond

// Do calls fn up to attempts times, sleeping with jittered exponential
// backoff between attempts, and returns the last error.
func Do(ctx context.Context, attempts int, fn func() error) error {
	var err error
	delay := BaseDelay
	for i := 0; i < attempts; i++ {
		if err = fn(); err == nil {
			return nil
		}
		var p permanent
		if errors.As(err, &p) {
			return p.err
		}
		if i == attempts-1 {
			break
		}
		jitter := time.Duration(rand.Int64N(int64(delay) / 2))
		select {
		case <-time.After(delay + jitter):
		case <-ctx.Done():
			return ctx.Err()
		}
		delay *= 2
	}
	return err
}

// Value is Do for operations that produce a result.
func Value[T any](ctx context.Context, attempts int, fn func() (T, error)) (T, error) {
	var out T
	err := Do(ctx, attempts, func() error {
		v, err := fn()
		if err != nil {
			return err
		}
		out = v
		return nil
	})
	return out, err
}
