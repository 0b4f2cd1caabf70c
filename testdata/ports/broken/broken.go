// Package broken builds, but its test does not: kvlint still reports the
// package's findings, and names the test's error.
package broken

import (
	"context"
	"time"

	"kvlint.test/ports/store"
)

func Short(ctx context.Context, s store.Store) error {
	return s.Set(ctx, "k", nil, 10*time.Second) // kvttl
}
