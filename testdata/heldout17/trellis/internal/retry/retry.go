// Package retry runs an operation with capped exponential backoff.
package retry

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"
)

// Policy describes how often and how patiently to retry.
type Policy struct {
	Attempts  int
	Base, Max time.Duration
	// Retryable reports whether an error is worth another attempt; nil retries everything not marked Permanent.
	Retryable func(error) bool
}

// Default is the policy used by Do.
var Default = Policy{Attempts: 4, Base: 200 * time.Millisecond, Max: 3 * time.Second}

type permanent struct{ error }

func (p permanent) Unwrap() error { return p.error }

// Permanent marks err so that Do returns it without retrying.
func Permanent(err error) error { return permanent{err} }

func Do(ctx context.Context, fn func() error) error { return Default.Do(ctx, fn) }

// Do runs fn until it succeeds, fails permanently, runs out of attempts or ctx is done.
func (p Policy) Do(ctx context.Context, fn func() error) error {
	var err error
	n := max(p.Attempts, 1)
	for i := range n {
		if err = fn(); err == nil {
			return nil
		}
		var perm permanent
		if errors.As(err, &perm) {
			return perm.error
		}
		if p.Retryable != nil && !p.Retryable(err) {
			return err
		}
		if i == n-1 {
			break
		}
		d := min(p.Base<<i, p.Max)
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(time.Duration(rand.Int64N(int64(d) + 1))):
		}
	}
	return err
}
