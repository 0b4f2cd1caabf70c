package depots

import (
	"time"

	"sora/internal/config"
)

// ExpiryPolicy decides how long a capacity hold lives in KV.
type ExpiryPolicy interface {
	TTL(h Hold, now time.Time) time.Duration
}

// fixedExpiry keeps every hold for the configured hold TTL.
type fixedExpiry struct{}

func (fixedExpiry) TTL(Hold, time.Time) time.Duration { return config.Load().HoldTTL.Duration }

// untilSlotEnd keeps a hold until its slot closes, and at least a minute.
type untilSlotEnd struct{}

func (untilSlotEnd) TTL(h Hold, now time.Time) time.Duration {
	return max(h.SlotEnd.Sub(now), time.Minute)
}

// graceAfterArrival keeps a walk-in hold for a short grace period after the
// courier's expected arrival.
type graceAfterArrival struct{}

func (graceAfterArrival) TTL(h Hold, now time.Time) time.Duration {
	window := config.Load().HoldGrace.Duration
	return max(h.Arrival.Sub(now)+2*window, 3*time.Second) // EXPECT kvttl
}

var policies = map[string]ExpiryPolicy{
	"fixed":      fixedExpiry{},
	"until-slot": untilSlotEnd{},
	"walk-in":    graceAfterArrival{},
}

func policyFor(name string) ExpiryPolicy {
	if p, ok := policies[name]; ok {
		return p
	}
	return fixedExpiry{}
}
