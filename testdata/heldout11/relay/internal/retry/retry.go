// Package retry runs an operation again, with exponential backoff and
// jitter, while its error says it is worth it.
package retry

import (
	"context"
	"math/rand/v2"
	"time"
)

// Policy controls Do.
type Policy struct {
	Attempts  int
	BaseDelay time.Duration
	Retryable func(error) bool // nil retries every error
}

// Default retries four times, starting at 250ms.
var Default = Policy{Attempts: 4, BaseDelay: 250 * time.Millisecond}

// Do calls op until it succeeds, the policy gives up, or ctx is done.
func Do(ctx context.Context, p Policy, op func(context.Context) error) error {
	delay := p.BaseDelay
	for attempt := 1; ; attempt++ {
		err := op(ctx)
		if err == nil || attempt >= p.Attempts || (p.Retryable != nil && !p.Retryable(err)) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay + time.Duration(rand.Int64N(int64(delay)/2+1))):
		}
		delay *= 2
	}
}
