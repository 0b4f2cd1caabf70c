// Package retry runs an operation again with exponential backoff and jitter.
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
	// Retryable decides whether an error is worth another attempt (nil: all).
	Retryable func(error) bool
}

// Default is used by Do.
var Default = Policy{Attempts: 5, Base: 200 * time.Millisecond, Max: 5 * time.Second}

// ErrExhausted wraps the last error when all attempts failed.
var ErrExhausted = errors.New("retry: attempts exhausted")

type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// Permanent marks err so that Do returns it at once.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanent{err: err}
}

// Do runs fn with the default policy.
func Do(ctx context.Context, fn func() error) error { return Default.Do(ctx, fn) }

// Do runs fn until it succeeds, fails permanently or attempts run out.
func (p Policy) Do(ctx context.Context, fn func() error) error {
	attempts := p.Attempts
	if attempts <= 0 {
		attempts = 1
	}
	var last error
	for i := 0; i < attempts; i++ {
		err := fn()
		if err == nil {
			return nil
		}
		var perm permanent
		if errors.As(err, &perm) {
			return perm.err
		}
		if p.Retryable != nil && !p.Retryable(err) {
			return err
		}
		last = err
		if i == attempts-1 {
			break
		}
		select {
		case <-ctx.Done():
			return errors.Join(ctx.Err(), last)
		case <-time.After(p.backoff(i)):
		}
	}
	return errors.Join(ErrExhausted, last)
}

func (p Policy) backoff(attempt int) time.Duration {
	base := p.Base
	if base <= 0 {
		base = 100 * time.Millisecond
	}
	d := base << attempt
	if p.Max > 0 && d > p.Max {
		d = p.Max
	}
	jitter := time.Duration(rand.Int64N(int64(d)/2 + 1))
	return d/2 + jitter
}
