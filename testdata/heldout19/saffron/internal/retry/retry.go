// Package retry runs an operation a bounded number of times with
// exponential backoff.
package retry

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"
)

// BaseDelay is the delay before the second attempt; it doubles each time.
var BaseDelay = 150 * time.Millisecond

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

type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// Permanent marks err as not worth retrying.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanent{err}
}

// Do calls fn up to attempts times until it succeeds or fails permanently.
func Do(ctx context.Context, attempts int, fn func(ctx context.Context) error) error {
	if attempts < 1 {
		attempts = 1
	}
	var errs []error
	delay := BaseDelay
	for i := 0; i < attempts; i++ {
		err := fn(ctx)
		if err == nil {
			return nil
		}
		var p permanent
		if errors.As(err, &p) {
			return errors.Join(append(errs, p.err)...)
		}
		errs = append(errs, err)
		if i == attempts-1 {
			break
		}
		jitter := time.Duration(rand.Int64N(int64(delay / 2)))
		if err := sleep(ctx, delay+jitter); err != nil {
			return errors.Join(append(errs, err)...)
		}
		delay *= 2
	}
	return errors.Join(errs...)
}
