// Package retry runs operations with capped exponential backoff.
package retry

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"
)

// Policy describes how often and how long to retry.
type Policy struct {
	Attempts int
	Base     time.Duration
	Max      time.Duration
}

// Default is used for KV and Cloudflare API calls.
var Default = Policy{Attempts: 4, Base: 200 * time.Millisecond, Max: 3 * time.Second}

type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// Stop marks err as not worth retrying.
func Stop(err error) error {
	if err == nil {
		return nil
	}
	return permanent{err}
}

// Do calls fn until it succeeds, returns a Stop error, the attempts run out or
// ctx is done.
func Do(ctx context.Context, p Policy, fn func(ctx context.Context) error) error {
	_, err := Value(ctx, p, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, fn(ctx)
	})
	return err
}

// Value is Do for operations that produce a result.
func Value[T any](ctx context.Context, p Policy, fn func(ctx context.Context) (T, error)) (T, error) {
	var zero T
	attempts := max(p.Attempts, 1)
	delay := p.Base
	var last error
	for i := 0; i < attempts; i++ {
		v, err := fn(ctx)
		if err == nil {
			return v, nil
		}
		var perm permanent
		if errors.As(err, &perm) {
			return zero, perm.err
		}
		last = err
		if i == attempts-1 {
			break
		}
		jitter := time.Duration(rand.Int64N(int64(delay)/2 + 1))
		select {
		case <-ctx.Done():
			return zero, ctx.Err()
		case <-time.After(delay + jitter):
		}
		delay = min(delay*2, p.Max)
	}
	return zero, last
}
