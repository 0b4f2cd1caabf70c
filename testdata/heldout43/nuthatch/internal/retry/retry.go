// Package retry runs operations with exponential backoff.
package retry

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/cityparking/nuthatch/internal/domain"
)

// Policy controls how often and how long an operation is retried.
type Policy struct {
	Attempts  int
	Base      time.Duration
	Max       time.Duration
	Retryable func(error) bool
}

// Default retries throttled store calls four times, starting at 250ms.
var Default = Policy{Attempts: 4, Base: 250 * time.Millisecond, Max: 4 * time.Second}

// Once does not retry.
var Once = Policy{Attempts: 1}

func (p Policy) retryable(err error) bool {
	if p.Retryable != nil {
		return p.Retryable(err)
	}
	return errors.Is(err, domain.ErrThrottled)
}

func (p Policy) backoff(attempt int) time.Duration {
	d := p.Base << attempt
	if p.Max > 0 && d > p.Max {
		d = p.Max
	}
	if d <= 0 {
		return 0
	}
	return d/2 + rand.N(d/2+1)
}

// Do calls fn until it succeeds, returns a non-retryable error, the attempts
// are used up, or ctx is done.
func Do(ctx context.Context, p Policy, fn func(ctx context.Context) error) error {
	_, err := DoValue(ctx, p, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, fn(ctx)
	})
	return err
}

// DoValue is Do for operations that return a value.
func DoValue[T any](ctx context.Context, p Policy, fn func(ctx context.Context) (T, error)) (T, error) {
	attempts := max(p.Attempts, 1)
	var zero T
	var lastErr error
	for i := 0; i < attempts; i++ {
		v, err := fn(ctx)
		if err == nil {
			return v, nil
		}
		lastErr = err
		if !p.retryable(err) || i == attempts-1 {
			break
		}
		t := time.NewTimer(p.backoff(i))
		select {
		case <-ctx.Done():
			t.Stop()
			return zero, ctx.Err()
		case <-t.C:
		}
	}
	return zero, lastErr
}
