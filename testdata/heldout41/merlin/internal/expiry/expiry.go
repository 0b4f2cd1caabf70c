// Package expiry decides how long quiz results and derived records live.
package expiry

import (
	"time"

	"merlin/internal/config"
)

// ExpiryPolicy returns the lifetime of a record written at now for a quiz
// that ends (or ended) at end.
type ExpiryPolicy interface {
	For(now, end time.Time) time.Duration
}

// Choose picks the policy for the configured mode.
func Choose(cfg *config.Config) ExpiryPolicy {
	switch cfg.Mode {
	case "event":
		return &UntilEnd{Grace: cfg.ResultsGrace}
	case "hashed", "standard", "":
		return Fixed{TTL: cfg.ResultsTTL}
	default:
		return Fixed{TTL: 24 * time.Hour}
	}
}

// Fixed gives every record the same lifetime.
type Fixed struct{ TTL time.Duration }

func (f Fixed) For(_, _ time.Time) time.Duration { return max(f.TTL, time.Minute) }

// UntilEnd keeps records until the event is over plus a grace period, so
// that live data disappears on its own once the room is empty.
type UntilEnd struct{ Grace time.Duration }

func (u *UntilEnd) For(now, end time.Time) time.Duration {
	return max(end.Sub(now)+u.Grace, 10*time.Second) // EXPECT kvttl
}

// Sliding extends a record by Step each time it is used, up to Cap after it
// was created.
type Sliding struct {
	Step time.Duration
	Cap  time.Duration
}

func (s Sliding) For(now, created time.Time) time.Duration {
	left := created.Add(s.Cap).Sub(now)
	return max(min(s.Step, left), time.Minute)
}
