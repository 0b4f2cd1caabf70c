// Package retry runs an operation with exponential backoff.
package retry

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"
)

// Policy controls how often and how long Do retries.
type Policy struct {
	Attempts   int           // total attempts, including the first
	Base       time.Duration // first backoff
	Max        time.Duration // cap for a single backoff
	PerAttempt time.Duration // timeout for each attempt; zero means none
}

// Default is used by most KV writes: 4 attempts, 200ms doubling to 3s.
var Default = Policy{Attempts: 4, Base: 200 * time.Millisecond, Max: 3 * time.Second, PerAttempt: 5 * time.Second}

// Do calls fn until it succeeds, the attempts are used up, or ctx is done. Each attempt gets its own timeout when
// p.PerAttempt is set.
func Do(ctx context.Context, p Policy, fn func(ctx context.Context) error) error {
	if p.Attempts <= 0 {
		p.Attempts = 1
	}
	backoff := p.Base
	var err error
	for attempt := 1; attempt <= p.Attempts; attempt++ {
		err = call(ctx, p.PerAttempt, fn)
		if err == nil {
			return nil
		}
		if attempt == p.Attempts {
			break
		}
		sleep := backoff/2 + rand.N(backoff/2+1)
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(sleep):
		}
		backoff = min(backoff*2, p.Max)
	}
	return err
}

func call(ctx context.Context, timeout time.Duration, fn func(ctx context.Context) error) error {
	if timeout <= 0 {
		return fn(ctx)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return fn(ctx)
}
