// Package retry runs an operation a bounded number of times with
// exponential backoff between attempts.
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

// Stop marks err as permanent so that Do returns it immediately.
func Stop(err error) error {
	if err == nil {
		return nil
	}
	return permanent{err: err}
}

// BaseDelay is the delay before the second attempt; it doubles afterwards.
var BaseDelay = 50 * time.Millisecond

// Do calls fn up to attempts times until it returns nil, a permanent error,
// or ctx is done.
func Do(ctx context.Context, attempts int, fn func() error) error {
	if attempts < 1 {
		attempts = 1
	}
	delay := BaseDelay
	var err error
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
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay + jitter):
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
