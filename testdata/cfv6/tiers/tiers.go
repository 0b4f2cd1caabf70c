// Package tiers holds lifetimes by plan. It does not use KV: its
// policies reach KV through the packages that call them.
package tiers

import "time"

type Tier int

const (
	Free Tier = iota
	Pro
	Live
)

// TTL is how long results stay cached: fresher on the higher plans.
func (t Tier) TTL() time.Duration {
	switch t {
	case Pro:
		return 5 * time.Minute
	case Live:
		return 20 * time.Second
	default:
		return 15 * time.Minute
	}
}

// Realtime reports whether the plan's results change by the second.
func (t Tier) Realtime() bool { return t == Live }

// Paid reports whether the plan is one a customer pays for.
func (t Tier) Paid() bool { return t == Pro || t == Live }

// Grace is the same for every plan.
func Grace() time.Duration { return 30 * time.Second }

// Archive is long for every plan.
func (t Tier) Archive() time.Duration {
	if t == Free {
		return 24 * time.Hour
	}
	return 7 * 24 * time.Hour
}

// Configured may be anything: it is not a policy.
func Configured(minutes int) time.Duration {
	if minutes <= 0 {
		return time.Hour
	}
	return time.Duration(minutes) * time.Minute
}

// Clamp keeps zero as "no lifetime" and raises the rest to a minute.
func Clamp(d time.Duration) time.Duration {
	if d == 0 {
		return 0
	}
	if d < time.Minute {
		d = time.Minute
	}
	return d
}

// A Policy is on when both its settings are.
type Policy struct {
	Limit  int
	Window time.Duration
}

func (p Policy) Enabled() bool { return p.Limit > 0 && p.Window > 0 }
