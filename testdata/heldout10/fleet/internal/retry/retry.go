// Package retry runs flaky calls with backoff and timing.
package retry

import (
	"context"
	"errors"
	"time"

	"example.com/fleet/internal/kvstore"
)

// Policy controls Do.
type Policy struct {
	Attempts int
	Base     time.Duration
}

var Default = Policy{Attempts: 4, Base: 200 * time.Millisecond}

// Do calls fn until it succeeds, the context ends or attempts run out.
// ErrNotFound is never retried.
func Do(ctx context.Context, fn func() error) error {
	return Default.Do(ctx, fn)
}

func (p Policy) Do(ctx context.Context, fn func() error) error {
	var err error
	delay := p.Base
	for i := 0; i < p.Attempts; i++ {
		if err = fn(); err == nil || errors.Is(err, kvstore.ErrNotFound) {
			return err
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(delay):
		}
		delay *= 2
	}
	return err
}
