// Package retry runs an operation with exponential backoff and a deadline per
// attempt.
package retry

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// Policy controls how often and how patiently an operation is retried.
type Policy struct {
	Attempts int
	Base     time.Duration // first backoff, doubled per attempt
	Max      time.Duration // backoff ceiling
	PerTry   time.Duration // deadline of each attempt; 0 means none
}

// Default suits KV calls: a 429 from a busy key clears within a second or two.
var Default = Policy{Attempts: 4, Base: 250 * time.Millisecond, Max: 4 * time.Second, PerTry: 5 * time.Second}

type permanentError struct{ error }

// Permanent marks err as not worth retrying.
func Permanent(err error) error { return &permanentError{err} }

// Do calls fn until it succeeds, returns a Permanent error, the attempts run
// out or ctx ends.
func Do(ctx context.Context, p Policy, fn func(ctx context.Context) error) error {
	var err error
	for i := range max(p.Attempts, 1) {
		if i > 0 {
			d := min(p.Base<<(i-1), p.Max)
			select {
			case <-ctx.Done():
				return errors.Join(err, ctx.Err())
			case <-time.After(d/2 + rand.N(d/2+1)):
			}
		}
		if err = attempt(ctx, p.PerTry, fn); err == nil {
			return nil
		}
		var perm *permanentError
		if errors.As(err, &perm) {
			return perm.error
		}
	}
	return fmt.Errorf("retry: giving up: %w", err)
}

func attempt(ctx context.Context, perTry time.Duration, fn func(ctx context.Context) error) error {
	if perTry > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, perTry)
		defer cancel()
	}
	return fn(ctx)
}
