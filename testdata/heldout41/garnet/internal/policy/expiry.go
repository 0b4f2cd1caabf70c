// Package policy holds the strategies chosen at start-up from the
// configuration mode.
package policy

import (
	"time"

	"garnet/internal/config"
)

// ExpiryPolicy decides how long each kind of record lives.
type ExpiryPolicy interface {
	Lifetime(kind string) time.Duration
}

// Configured reads lifetimes from the live configuration on every call.
type Configured struct {
	Cfg *config.Holder
}

func (p Configured) Lifetime(kind string) time.Duration {
	c := p.Cfg.Load()
	switch kind {
	case "session":
		return c.SessionTTL()
	case "sso-state":
		return 10 * time.Minute
	case "refresh":
		return 30 * 24 * time.Hour
	case "paylink":
		return time.Duration(c.LinkHours) * time.Hour
	case "fx":
		return c.RateTTL()
	case "idempotency":
		return time.Duration(c.IdempotencyHours) * time.Hour
	}
	return time.Hour
}

// Relaxed uses fixed, generous lifetimes; used by self-hosted installs that
// do not manage settings in KV.
type Relaxed struct{}

func (Relaxed) Lifetime(kind string) time.Duration {
	switch kind {
	case "session":
		return 24 * time.Hour
	case "refresh":
		return 90 * 24 * time.Hour
	case "paylink":
		return 14 * 24 * time.Hour
	}
	return 2 * time.Hour
}

// Sandbox keeps test data from piling up in the shared sandbox namespace.
type Sandbox struct{}

func (Sandbox) Lifetime(kind string) time.Duration {
	switch kind {
	case "sso-state":
		return 30 * time.Second // EXPECT kvttl
	case "session":
		return 15 * time.Minute
	case "fx":
		return 20 * time.Second
	case "paylink":
		return 2 * time.Hour
	}
	return 5 * time.Minute
}

// Select picks the expiry policy for a mode.
func Select(mode string, h *config.Holder) ExpiryPolicy {
	switch mode {
	case "sandbox":
		return Sandbox{}
	case "relaxed":
		return Relaxed{}
	default:
		return Configured{Cfg: h}
	}
}
