package domain

import "time"

// Tier is the delivery service level the sender paid for.
type Tier int

const (
	TierStandard Tier = iota
	TierExpress
	TierSameDay
)

// TrackingTTL is how long a rendered tracking page may be served from cache.
// Faster tiers change status more often, so their pages go stale sooner.
func (t Tier) TrackingTTL() time.Duration {
	switch t {
	case TierExpress:
		return 10 * time.Minute
	case TierSameDay:
		return 30 * time.Second // EXPECT kvttl
	default:
		return 2 * time.Hour
	}
}

// LinkLifetime is how long a customer tracking link stays valid.
func (t Tier) LinkLifetime() time.Duration {
	switch t {
	case TierSameDay:
		return 48 * time.Hour
	case TierExpress:
		return 7 * 24 * time.Hour
	default:
		return 21 * 24 * time.Hour
	}
}

// Plan is a carrier partner's API plan.
type Plan int

const (
	PlanBasic Plan = iota
	PlanPartner
	PlanEnterprise
)

// Window is the length of a rate-limit window.
func (p Plan) Window() time.Duration {
	switch p {
	case PlanEnterprise:
		return 10 * time.Second
	case PlanPartner:
		return 30 * time.Second
	default:
		return time.Minute
	}
}

// Burst is how many calls a plan may make per window.
func (p Plan) Burst() int {
	switch p {
	case PlanEnterprise:
		return 500
	case PlanPartner:
		return 120
	default:
		return 30
	}
}

// Shift is a driver's working pattern.
type Shift int

const (
	ShiftDay Shift = iota
	ShiftEvening
	ShiftNight
)

// SessionTTL is how long a handheld stays signed in for the shift.
func (s Shift) SessionTTL() time.Duration {
	switch s {
	case ShiftNight:
		return 11 * time.Hour
	case ShiftEvening:
		return 9 * time.Hour
	default:
		return 10 * time.Hour
	}
}
