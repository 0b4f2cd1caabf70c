// Package retry runs operations with exponential backoff and a per-attempt
// deadline.
package retry

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"
)

// Policy controls how Do retries.
type Policy struct {
	Attempts int           // total attempts, at least 1
	Base     time.Duration // first backoff, doubled per attempt
	Max      time.Duration // cap on a single backoff
	PerTry   time.Duration // deadline of each attempt; 0 means none
}

// Default suits KV calls: a 429 for a hot key clears within a second or two.
var Default = Policy{Attempts: 4, Base: 150 * time.Millisecond, Max: 2 * time.Second, PerTry: 5 * time.Second}

// Permanent wraps an error that must not be retried.
type Permanent struct{ Err error }

func (p Permanent) Error() string { return p.Err.Error() }

// Do calls fn until it succeeds, returns a Permanent error, the policy is
// exhausted or ctx ends.
func Do(ctx context.Context, p Policy, fn func(ctx context.Context) error) error {
	var err error
	for attempt := range max(p.Attempts, 1) {
		if attempt > 0 {
			d := min(p.Base<<(attempt-1), p.Max)
			select {
			case <-ctx.Done():
				return errors.Join(ctx.Err(), err)
			case <-time.After(d/2 + rand.N(d/2+1)):
			}
		}
		if err = once(ctx, p.PerTry, fn); err == nil {
			return nil
		}
		var perm Permanent
		if errors.As(err, &perm) {
			return perm.Err
		}
	}
	return err
}

func once(ctx context.Context, perTry time.Duration, fn func(ctx context.Context) error) error {
	if perTry <= 0 {
		return fn(ctx)
	}
	ctx, cancel := context.WithTimeout(ctx, perTry)
	defer cancel()
	return fn(ctx)
}
