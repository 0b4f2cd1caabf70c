// Package retry runs an operation with capped exponential backoff and jitter.
package retry

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"
)

// Policy describes how many times to try and how long to wait in between.
type Policy struct {
	Attempts int
	Base     time.Duration
	Max      time.Duration
}

// Default is the policy used by Do.
var Default = Policy{Attempts: 4, Base: 150 * time.Millisecond, Max: 3 * time.Second}

type permanent struct{ error }

func (p permanent) Unwrap() error { return p.error }

// Stop marks err as not worth retrying.
func Stop(err error) error { return permanent{err} }

// Do runs fn under the Default policy.
func Do(ctx context.Context, fn func() error) error { return Default.Do(ctx, fn) }

// Do runs fn until it succeeds, returns a Stop error, runs out of attempts, or
// ctx is done.
func (p Policy) Do(ctx context.Context, fn func() error) error {
	var err error
	for i := range max(p.Attempts, 1) {
		if err = fn(); err == nil {
			return nil
		}
		var perm permanent
		if errors.As(err, &perm) {
			return perm.error
		}
		d := min(p.Base<<i, p.Max)
		t := time.NewTimer(d/2 + rand.N(d/2+1))
		select {
		case <-ctx.Done():
			t.Stop()
			return errors.Join(err, ctx.Err())
		case <-t.C:
		}
	}
	return err
}
