// Package retry runs an operation with capped exponential backoff.
package retry

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"
)

// Policy configures Do.
type Policy struct {
	Attempts int
	Base     time.Duration
	Max      time.Duration
	// Retryable decides whether an error is worth another attempt. Nil
	// retries every error.
	Retryable func(error) bool
}

// Default suits KV writes; throttled writes usually succeed on a later attempt.
var Default = Policy{Attempts: 4, Base: 250 * time.Millisecond, Max: 4 * time.Second}

// Permanent wraps an error so Do returns it without retrying.
type Permanent struct{ Err error }

func (p Permanent) Error() string { return p.Err.Error() }
func (p Permanent) Unwrap() error { return p.Err }

// Do calls fn until it succeeds, returns a Permanent error, the policy gives
// up, or ctx ends.
func Do(ctx context.Context, p Policy, fn func() error) error {
	if p.Attempts <= 0 {
		p.Attempts = 1
	}
	var err error
	for attempt := 0; attempt < p.Attempts; attempt++ {
		if err = fn(); err == nil {
			return nil
		}
		var perm Permanent
		if errors.As(err, &perm) {
			return perm.Err
		}
		if p.Retryable != nil && !p.Retryable(err) {
			return err
		}
		if attempt == p.Attempts-1 {
			break
		}
		wait := p.backoff(attempt)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return errors.Join(err, ctx.Err())
		case <-t.C:
		}
	}
	return err
}

func (p Policy) backoff(attempt int) time.Duration {
	d := p.Base << attempt
	if p.Max > 0 && d > p.Max {
		d = p.Max
	}
	jitter := time.Duration(rand.Int64N(int64(d)/2 + 1))
	return d/2 + jitter
}
