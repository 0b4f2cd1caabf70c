// Package retry runs operations with capped exponential backoff.
package retry

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"
)

// Policy controls how often and how fast an operation is retried.
type Policy struct {
	Attempts  int
	Base, Max time.Duration
	Retryable func(error) bool
}

// Default suits KV writes: the 429 for a hot key clears after a second.
var Default = Policy{Attempts: 4, Base: 1100 * time.Millisecond, Max: 8 * time.Second}

type permanent struct{ error }

func (p permanent) Unwrap() error { return p.error }

// Permanent wraps err so that Do stops retrying immediately.
func Permanent(err error) error { return permanent{err} }

// Do calls fn until it succeeds, returns a permanent error, the policy's
// attempts are used up, or ctx is done.
func Do(ctx context.Context, p Policy, fn func(ctx context.Context) error) error {
	_, err := Value(ctx, p, func(ctx context.Context) (struct{}, error) { return struct{}{}, fn(ctx) })
	return err
}

// Value is Do for operations that produce a result.
func Value[T any](ctx context.Context, p Policy, fn func(ctx context.Context) (T, error)) (T, error) {
	var zero T
	for i := 0; ; i++ {
		v, err := fn(ctx)
		if err == nil {
			return v, nil
		}
		var perm permanent
		if errors.As(err, &perm) {
			return zero, perm.error
		}
		if i+1 >= max(p.Attempts, 1) || (p.Retryable != nil && !p.Retryable(err)) {
			return zero, err
		}
		d := min(p.Base<<i, p.Max)
		select {
		case <-ctx.Done():
			return zero, ctx.Err()
		case <-time.After(d + time.Duration(rand.Int64N(int64(d)/4+1))):
		}
	}
}
