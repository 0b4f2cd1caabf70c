// Package retry runs a closure with bounded attempts and jittered backoff.
package retry

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"
)

// Permanent marks an error that must not be retried.
type Permanent struct{ Err error }

func (p Permanent) Error() string { return p.Err.Error() }
func (p Permanent) Unwrap() error { return p.Err }

// Stop wraps err so Do returns it immediately.
func Stop(err error) error {
	if err == nil {
		return nil
	}
	return Permanent{Err: err}
}

var sleep = func(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Base is the first backoff interval.
var Base = 100 * time.Millisecond

// Do calls fn up to attempts times. It returns nil on the first success, or
// all collected errors joined.
func Do(ctx context.Context, attempts int, fn func(ctx context.Context) error) error {
	if attempts < 1 {
		attempts = 1
	}
	var errs []error
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
		backoff := Base << i
		backoff += time.Duration(rand.Int64N(int64(backoff/2) + 1))
		if serr := sleep(ctx, backoff); serr != nil {
			errs = append(errs, serr)
			break
		}
	}
	return errors.Join(errs...)
}
