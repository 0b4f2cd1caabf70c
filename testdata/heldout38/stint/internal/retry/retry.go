// Package retry runs operations with exponential backoff and a simple
// consecutive-failure circuit breaker.
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
}

// Default is used for KV and upstream calls unless a caller has a reason to differ.
var Default = Policy{Attempts: 4, Base: 150 * time.Millisecond, Max: 2 * time.Second}

// Once performs a single attempt.
var Once = Policy{Attempts: 1}

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

// IsPermanent reports whether err was marked with Permanent.
func IsPermanent(err error) bool {
	var p permanent
	return errors.As(err, &p)
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

func (p Policy) backoff(attempt int) time.Duration {
	d := p.Base << attempt
	if p.Max > 0 && d > p.Max {
		d = p.Max
	}
	if d <= 0 {
		return 0
	}
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

// Do calls fn until it succeeds, returns a permanent error, or the policy is
// exhausted.
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
		if IsPermanent(err) {
			return errors.Unwrap(err)
		}
		if i == attempts-1 {
			break
		}
		if serr := sleep(ctx, p.backoff(i)); serr != nil {
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
		if err != nil {
			return err
		}
		out = v
		return nil
	})
	return out, err
}

// ErrOpen is returned while a breaker refuses calls.
var ErrOpen = errors.New("retry: circuit open")

// Breaker opens after Threshold consecutive failures and stays open for Cooldown.
type Breaker struct {
	Threshold int
	Cooldown  time.Duration

	mu       sync.Mutex
	failures int
	openedAt time.Time
}

// Run executes fn unless the breaker is open.
func (b *Breaker) Run(ctx context.Context, fn func(ctx context.Context) error) error {
	b.mu.Lock()
	if b.failures >= b.Threshold && time.Since(b.openedAt) < b.Cooldown {
		b.mu.Unlock()
		return ErrOpen
	}
	b.mu.Unlock()

	err := fn(ctx)

	b.mu.Lock()
	defer b.mu.Unlock()
	if err != nil {
		b.failures++
		if b.failures == b.Threshold {
			b.openedAt = time.Now()
		}
		return err
	}
	b.failures = 0
	return nil
}
