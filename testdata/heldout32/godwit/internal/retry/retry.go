// Package retry runs an operation again with exponential backoff when it
// fails with a transient error.
package retry

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"
)

// Policy controls how often and how fast an operation is retried.
type Policy struct {
	Attempts int
	Base     time.Duration
	Max      time.Duration
}

// Default suits calls to the Cloudflare API: four attempts within a few seconds.
var Default = Policy{Attempts: 4, Base: 250 * time.Millisecond, Max: 4 * time.Second}

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

// Do calls fn until it succeeds, returns a permanent error, the attempts are
// used up or ctx is done.
func Do(ctx context.Context, p Policy, fn func(ctx context.Context) error) error {
	if p.Attempts <= 0 {
		p = Default
	}
	var err error
	delay := p.Base
	for attempt := 1; ; attempt++ {
		err = fn(ctx)
		if err == nil {
			return nil
		}
		var perm permanent
		if errors.As(err, &perm) {
			return perm.err
		}
		if attempt >= p.Attempts {
			return err
		}
		jitter := time.Duration(rand.Int64N(int64(delay)/2 + 1))
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(delay + jitter):
		}
		delay = min(2*delay, p.Max)
	}
}
