// Package retry wraps flaky calls (mostly KV writes, which return 429 and
// 5xx under load) with a bounded exponential backoff.
package retry

import (
	"context"
	"fmt"
	"time"
)

// Do runs fn up to attempts times, sleeping 100ms, 200ms, 400ms... between tries.
func Do(ctx context.Context, attempts int, fn func() error) error {
	var err error
	delay := 100 * time.Millisecond
	for i := range attempts {
		if err = fn(); err == nil {
			return nil
		}
		if i == attempts-1 {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("retry: %w (last error: %v)", ctx.Err(), err)
		case <-time.After(delay):
		}
		delay *= 2
	}
	return fmt.Errorf("retry: giving up after %d attempts: %w", attempts, err)
}

// Timed runs fn and reports its duration under name.
func Timed(name string, observe func(string, time.Duration), fn func() error) error {
	start := time.Now()
	err := fn()
	if observe != nil {
		observe(name, time.Since(start))
	}
	return err
}
