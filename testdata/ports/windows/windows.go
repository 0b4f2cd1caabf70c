// Package windows keeps rate-limit windows through the port, with a floor
// of its own under the configured window.
package windows

import (
	"context"
	"time"

	"kvlint.test/ports/store"
)

type Config struct {
	Window time.Duration
}

type Limiter struct {
	s      store.Store
	window time.Duration
}

func New(s store.Store, cfg Config) *Limiter {
	return &Limiter{s: s, window: cfg.Window}
}

// Mark keeps the key a window and a half, and at least ten seconds: a
// floor below KV's minimum, reported here and not where main keeps the
// limiter.
func (l *Limiter) Mark(ctx context.Context, key string) error {
	ttl := l.window + l.window/2
	if ttl < 10*time.Second {
		ttl = 10 * time.Second
	}
	return l.s.Set(ctx, key, []byte("1"), ttl) // kvttl
}
