// Package retry wraps flaky calls (Cloudflare API, upstream status probes,
// webhook targets) in bounded exponential backoff and a simple circuit breaker.
package retry

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"time"
)

// Policy describes how often and how patiently to retry.
type Policy struct {
	Attempts int
	Base     time.Duration
	Max      time.Duration
	// Retryable decides whether err is worth another attempt. Nil retries
	// everything except context cancellation.
	Retryable func(error) bool
}

// Default is used by most KV call sites.
var Default = Policy{Attempts: 4, Base: 150 * time.Millisecond, Max: 2 * time.Second}

// Quick is used on request paths where latency matters more than success.
var Quick = Policy{Attempts: 2, Base: 50 * time.Millisecond, Max: 200 * time.Millisecond}

// Permanent marks an error that must not be retried.
type Permanent struct{ Err error }

func (p Permanent) Error() string { return p.Err.Error() }
func (p Permanent) Unwrap() error { return p.Err }

// sleep is swapped in tests.
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

func (p Policy) retryable(err error) bool {
	var perm Permanent
	if errors.As(err, &perm) {
		return false
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if p.Retryable != nil {
		return p.Retryable(err)
	}
	return true
}

// Do calls fn until it succeeds, returns a non-retryable error, or the
// policy's attempts are used up.
func Do(ctx context.Context, p Policy, fn func(ctx context.Context) error) error {
	attempts := p.Attempts
	if attempts < 1 {
		attempts = 1
	}
	var err error
	for i := range attempts {
		if err = fn(ctx); err == nil {
			return nil
		}
		if !p.retryable(err) || i == attempts-1 {
			break
		}
		if serr := sleep(ctx, p.backoff(i)); serr != nil {
			return errors.Join(err, serr)
		}
	}
	return err
}

// Value is Do for calls that produce a result.
func Value[T any](ctx context.Context, p Policy, fn func(ctx context.Context) (T, error)) (T, error) {
	var out T
	err := Do(ctx, p, func(ctx context.Context) error {
		v, err := fn(ctx)
		if err != nil {
			return err
		}
		out = v
		return nil
	})
	return out, err
}

// ErrOpen is returned while the breaker refuses calls.
var ErrOpen = errors.New("retry: circuit open")

// Breaker opens after Threshold consecutive failures and stays open for
// Cooldown. It is shared by all calls to one upstream.
type Breaker struct {
	Threshold int
	Cooldown  time.Duration
	Now       func() time.Time

	mu        sync.Mutex
	failures  int
	openUntil time.Time
}

// Run calls fn unless the breaker is open.
func (b *Breaker) Run(ctx context.Context, fn func(ctx context.Context) error) error {
	now := time.Now
	if b.Now != nil {
		now = b.Now
	}
	b.mu.Lock()
	if now().Before(b.openUntil) {
		b.mu.Unlock()
		return ErrOpen
	}
	b.mu.Unlock()

	err := fn(ctx)

	b.mu.Lock()
	defer b.mu.Unlock()
	if err == nil {
		b.failures = 0
		return nil
	}
	b.failures++
	if b.Threshold > 0 && b.failures >= b.Threshold {
		b.openUntil = now().Add(b.Cooldown)
		b.failures = 0
	}
	return err
}
