// Package retry runs operations with capped exponential backoff.
package retry

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"time"
)

// Policy describes how often and how long to retry.
type Policy struct {
	Attempts int
	Base     time.Duration
	Max      time.Duration
}

// Default suits KV writes that may hit a transient 429 or 5xx.
var Default = Policy{Attempts: 4, Base: 250 * time.Millisecond, Max: 2 * time.Second}

// transient reports whether err looks like a throttle or upstream hiccup.
func transient(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "429") || strings.Contains(msg, " 50") || strings.Contains(msg, "timeout")
}

// Do calls op until it succeeds, the error is permanent, attempts run out,
// or ctx is done.
func Do(ctx context.Context, p Policy, op func() error) error {
	var err error
	for attempt := 0; attempt < max(p.Attempts, 1); attempt++ {
		if err = op(); err == nil || errors.Is(err, context.Canceled) || !transient(err) {
			return err
		}
		d := min(p.Base<<attempt, p.Max)
		t := time.NewTimer(time.Duration(rand.Int64N(int64(d) + 1)))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
	return err
}
