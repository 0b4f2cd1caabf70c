// Package boards writes announcements through a namespace its caller
// builds: whether a short lifetime is fine depends on the stack the caller
// gives it.
package boards

import (
	"context"
	"time"

	"kvlint.test/ports/store"
)

// A Board holds the namespace it announces through.
type Board struct {
	KV store.Store
}

// Announce writes text under key for ttl.
func (b *Board) Announce(ctx context.Context, key, text string, ttl time.Duration) error {
	return b.KV.Set(ctx, "board:"+key, []byte(text), ttl)
}
