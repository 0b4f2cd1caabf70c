// Package retry repeats operations that fail with retryable storage errors.
package retry

import (
	"context"
	"math/rand/v2"
	"time"

	"example.com/flagship/internal/storage"
)

// Policy describes how often and how long to retry 429s and 5xx.
type Policy struct {
	Attempts  int
	Base, Max time.Duration
}

// Default retries four times with jittered exponential backoff.
var Default = Policy{Attempts: 4, Base: 250 * time.Millisecond, Max: 5 * time.Second}

// Backoff returns a function giving the delay before attempt n (1-based).
func Backoff(base, max time.Duration) func(n int) time.Duration {
	return func(n int) time.Duration {
		d := min(base<<(n-1), max)
		return d/2 + rand.N(d/2+1)
	}
}

// Do calls fn until it succeeds, fails permanently, or ctx ends.
func (p Policy) Do(ctx context.Context, fn func(context.Context) error) error {
	delay := Backoff(p.Base, p.Max)
	for n := 1; ; n++ {
		err := fn(ctx)
		if err == nil || !storage.IsRetryable(err) || n >= p.Attempts {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay(n)):
		}
	}
}

// PutFunc has the shape of storage.Store.Put, so a method value fits.
type PutFunc func(ctx context.Context, key string, value []byte, opts ...storage.PutOption) error

// Put calls put(key, value, opts...) under the Default policy.
func Put(ctx context.Context, put PutFunc, key string, value []byte, opts ...storage.PutOption) error {
	return Default.Do(ctx, func(ctx context.Context) error { return put(ctx, key, value, opts...) })
}
