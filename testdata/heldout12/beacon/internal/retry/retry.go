// Package retry runs an operation with capped, jittered exponential backoff.
package retry

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"
)

// Policy configures Do. A nil Retryable retries every error.
type Policy struct {
	Attempts  int
	Base, Max time.Duration
	Retryable func(error) bool
}

var Default = Policy{Attempts: 4, Base: 200 * time.Millisecond, Max: 5 * time.Second}

type permanent struct{ error }

func (p permanent) Unwrap() error { return p.error }

// Permanent marks err as not worth retrying.
func Permanent(err error) error { return permanent{err} }

// Do calls fn until it succeeds, the policy gives up, or ctx ends.
func Do(ctx context.Context, p Policy, fn func() error) error {
	var err error
	for attempt := 0; attempt < max(p.Attempts, 1); attempt++ {
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
		d := min(p.Base<<attempt, p.Max)
		select {
		case <-ctx.Done():
			return errors.Join(ctx.Err(), err)
		case <-time.After(time.Duration(rand.Int64N(int64(d) + 1))):
		}
	}
	return err
}
