// Package retry runs KV and upstream calls with bounded exponential backoff
// and a small circuit breaker.
package retry

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"time"
)

// Policy bounds a retry loop.
type Policy struct {
	Attempts int
	Base     time.Duration
	Max      time.Duration
}

// Default is used for KV writes that hit 429 or transient 5xx; Quick is used
// on the request path where latency matters more than success.
var (
	Default = Policy{Attempts: 4, Base: 150 * time.Millisecond, Max: 2 * time.Second}
	Quick   = Policy{Attempts: 2, Base: 50 * time.Millisecond, Max: 200 * time.Millisecond}
)

type permanent struct{ error }

func (p permanent) Unwrap() error { return p.error }

// Permanent marks err as not worth retrying.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanent{err}
}

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

// Do calls fn until it succeeds, returns a permanent error, or the policy
// runs out of attempts.
func Do(ctx context.Context, p Policy, fn func(ctx context.Context) error) error {
	var err error
	for attempt := range max(p.Attempts, 1) {
		var perm permanent
		if err = fn(ctx); err == nil || errors.As(err, &perm) {
			return err
		}
		if attempt == p.Attempts-1 {
			break
		}
		d := min(p.Base<<attempt, p.Max)
		d -= time.Duration(rand.Int64N(int64(d)/4 + 1))
		if serr := sleep(ctx, d); serr != nil {
			return errors.Join(err, serr)
		}
	}
	return err
}

// Value is Do for functions that produce a result.
func Value[T any](ctx context.Context, p Policy, fn func(ctx context.Context) (T, error)) (T, error) {
	var out T
	err := Do(ctx, p, func(ctx context.Context) error {
		v, err := fn(ctx)
		if err == nil {
			out = v
		}
		return err
	})
	return out, err
}

// ErrOpen is returned while the breaker is open.
var ErrOpen = errors.New("retry: circuit open")

// Breaker stops calling a failing dependency for a cool-down period.
type Breaker struct {
	mu        sync.Mutex
	failures  int
	threshold int
	cooldown  time.Duration
	openUntil time.Time
}

// NewBreaker returns a breaker that opens after threshold consecutive failures.
func NewBreaker(threshold int, cooldown time.Duration) *Breaker {
	return &Breaker{threshold: threshold, cooldown: cooldown}
}

// Run calls fn unless the breaker is open.
func (b *Breaker) Run(ctx context.Context, fn func(ctx context.Context) error) error {
	b.mu.Lock()
	open := time.Now().Before(b.openUntil)
	b.mu.Unlock()
	if open {
		return ErrOpen
	}
	err := fn(ctx)
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case err == nil:
		b.failures = 0
	case b.failures+1 >= b.threshold:
		b.openUntil, b.failures = time.Now().Add(b.cooldown), 0
	default:
		b.failures++
	}
	return err
}
