// Package retry re-runs operations that fail with temporary errors.
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
}

// Default is used when a zero Policy is given.
var Default = Policy{Attempts: 3, Base: 50 * time.Millisecond, Max: time.Second}

type temporary interface{ Temporary() bool }

// Func is an operation that can be retried.
type Func func(ctx context.Context) error

// Do runs fn until it succeeds, returns a non-temporary error, or the
// policy is exhausted.
func Do(ctx context.Context, p Policy, fn Func) error {
	if p.Attempts <= 0 {
		p = Default
	}
	var err error
	for attempt := 0; attempt < p.Attempts; attempt++ {
		if err = fn(ctx); err == nil {
			return nil
		}
		if !Retryable(err) {
			return err
		}
		if attempt == p.Attempts-1 {
			break
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(backoff(p, attempt)):
		}
	}
	return err
}

// Retryable reports whether err is worth another attempt.
func Retryable(err error) bool {
	var t temporary
	if errors.As(err, &t) {
		return t.Temporary()
	}
	return false
}

func backoff(p Policy, attempt int) time.Duration {
	d := p.Base << attempt
	if d > p.Max {
		d = p.Max
	}
	jitter := time.Duration(rand.Int64N(int64(d)/2 + 1))
	return d/2 + jitter
}

// Bind turns a two-argument operation into a Func, so method values can be
// handed to Do: retry.Do(ctx, p, retry.Bind(store.Delete, key)).
func Bind[A any](fn func(context.Context, A) error, a A) Func {
	return func(ctx context.Context) error { return fn(ctx, a) }
}
