// Package retry retries KV writes that fail with transient errors (429s from
// the per-key write limit, 5xx from the origin).
package retry

import (
	"context"
	"errors"
	"time"
)

// ErrPermanent wraps an error that must not be retried.
var ErrPermanent = errors.New("permanent")

type Policy struct {
	Attempts int
	Base     time.Duration
}

var Default = Policy{Attempts: 4, Base: 1200 * time.Millisecond}

// Do runs fn until it succeeds, returns a permanent error, or attempts run out.
func Do(ctx context.Context, fn func() error) error {
	return Default.Do(ctx, fn)
}

func (p Policy) Do(ctx context.Context, fn func() error) error {
	var err error
	wait := p.Base
	for i := 0; i < p.Attempts; i++ {
		if err = fn(); err == nil || errors.Is(err, ErrPermanent) {
			return err
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(wait):
		}
		wait *= 2
	}
	return err
}
