// Package retry runs an operation with exponential backoff.
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

// Stop marks err as permanent.
func Stop(err error) error { return Permanent{Err: err} }

// Base is the first backoff interval; tests shorten it.
var Base = 200 * time.Millisecond

// Do calls fn up to attempts times with jittered exponential backoff until it
// succeeds or returns a Permanent error; the attempts' errors are joined.
func Do(ctx context.Context, attempts int, fn func(ctx context.Context) error) error {
	var errs []error
	delay := Base
	for i := 0; i < attempts; i++ {
		err := fn(ctx)
		if err == nil {
			return nil
		}
		var p Permanent
		if errors.As(err, &p) {
			return p.Err
		}
		errs = append(errs, err)
		if i == attempts-1 {
			break
		}
		jitter := time.Duration(rand.Int64N(int64(delay) / 2))
		select {
		case <-ctx.Done():
			return errors.Join(append(errs, ctx.Err())...)
		case <-time.After(delay + jitter):
		}
		delay *= 2
	}
	return errors.Join(errs...)
}
