// Package retry runs operations again, with jittered exponential backoff,
// when they fail in a way that is worth retrying.
package retry

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"
)

// Policy bounds how often and how slowly an operation is retried.
type Policy struct {
	Attempts int
	Base     time.Duration
	Max      time.Duration
}

// Default suits KV writes that were throttled (HTTP 429) or hit a 5xx.
var Default = Policy{Attempts: 4, Base: 150 * time.Millisecond, Max: 2 * time.Second}

// Option adjusts a Policy for one call.
type Option func(*Policy)

// Attempts sets the maximum number of tries.
func Attempts(n int) Option { return func(p *Policy) { p.Attempts = n } }

type retryable struct{ err error }

func (r retryable) Error() string { return r.err.Error() }
func (r retryable) Unwrap() error { return r.err }

// Retryable marks err as worth another attempt.
func Retryable(err error) error {
	if err == nil {
		return nil
	}
	return retryable{err}
}

// IsRetryable reports whether err was marked with Retryable.
func IsRetryable(err error) bool {
	var r retryable
	return errors.As(err, &r)
}

// Do calls fn until it succeeds, returns an error not marked Retryable, the
// attempts run out or ctx is done.
func Do(ctx context.Context, fn func() error, opts ...Option) error {
	p := Default
	for _, o := range opts {
		o(&p)
	}
	if p.Attempts < 1 {
		p.Attempts = 1
	}
	var err error
	for attempt := range p.Attempts {
		if err = fn(); err == nil || !IsRetryable(err) {
			return err
		}
		if attempt == p.Attempts-1 {
			break
		}
		t := time.NewTimer(backoff(p, attempt))
		select {
		case <-ctx.Done():
			t.Stop()
			return errors.Join(err, ctx.Err())
		case <-t.C:
		}
	}
	return err
}

func backoff(p Policy, attempt int) time.Duration {
	d := p.Base << attempt
	if d > p.Max || d <= 0 {
		d = p.Max
	}
	return d/2 + rand.N(d/2+1)
}
