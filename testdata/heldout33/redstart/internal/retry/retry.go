// Package retry runs an operation again with capped exponential backoff and
// jitter. It is used around KV and Cloudflare API calls, which fail now and
// then with 429 and 5xx responses.
package retry

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// Policy says how often and how patiently to retry.
type Policy struct {
	// Attempts is the total number of calls, including the first one.
	Attempts int
	// Base is the delay before the second attempt; it doubles every time.
	Base time.Duration
	// Max caps the delay between two attempts.
	Max time.Duration
	// Retryable reports whether an error is worth another attempt.
	// A nil Retryable retries every error.
	Retryable func(error) bool
}

// Default suits a single KV read or write inside a request.
var Default = Policy{Attempts: 3, Base: 250 * time.Millisecond, Max: 2 * time.Second}

// Patient suits background jobs that can wait for the Cloudflare API.
var Patient = Policy{Attempts: 6, Base: time.Second, Max: 30 * time.Second}

// Permanent wraps an error that must not be retried.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}

type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Do calls fn until it succeeds, returns a permanent error, the policy runs
// out of attempts, or ctx is done.
func Do(ctx context.Context, p Policy, fn func(ctx context.Context) error) error {
	attempts := max(p.Attempts, 1)
	delay := p.Base
	var err error
	for i := 0; i < attempts; i++ {
		if err = fn(ctx); err == nil {
			return nil
		}
		var perm *permanentError
		if errors.As(err, &perm) {
			return perm.err
		}
		if p.Retryable != nil && !p.Retryable(err) {
			return err
		}
		if i == attempts-1 {
			break
		}
		t := time.NewTimer(jitter(delay))
		select {
		case <-ctx.Done():
			t.Stop()
			return errors.Join(err, ctx.Err())
		case <-t.C:
		}
		delay *= 2
		if p.Max > 0 && delay > p.Max {
			delay = p.Max
		}
	}
	return fmt.Errorf("retry: gave up after %d attempts: %w", attempts, err)
}

// jitter spreads d over [d/2, d).
func jitter(d time.Duration) time.Duration {
	if d <= 1 {
		return d
	}
	half := d / 2
	return half + rand.N(half)
}
