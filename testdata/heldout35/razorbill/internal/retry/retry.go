// Package retry runs an operation a bounded number of times with jittered
// exponential backoff between attempts.
package retry

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"
)

// Permanent wraps an error that must not be retried.
type Permanent struct{ Err error }

func (p Permanent) Error() string { return p.Err.Error() }
func (p Permanent) Unwrap() error { return p.Err }

// BaseDelay is the delay before the second attempt; it doubles afterwards.
var BaseDelay = 50 * time.Millisecond

// Do calls fn until it succeeds, returns a Permanent error, the context is
// done, or attempts calls have been made.
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
		var p Permanent
		if errors.As(err, &p) {
			return p.Err
		}
		if i == attempts-1 {
			break
		}
		jitter := time.Duration(rand.Int64N(int64(delay) / 2))
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(delay + jitter):
		}
		delay *= 2
	}
	return err
}
