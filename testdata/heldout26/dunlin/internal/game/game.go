// Package game holds the small domain enums shared by services.
package game

import (
	"slices"
	"time"
)

// Tier is the kind of a matchmaking lobby.
type Tier int

const (
	TierCasual Tier = iota
	TierRanked
	TierTournament
	TierQuickPlay
)

var tierNames = [...]string{"casual", "ranked", "tournament", "quick"}

// ParseTier maps the wire name of a tier; the empty name means casual.
func ParseTier(s string) (Tier, bool) {
	if s == "" {
		return TierCasual, true
	}
	i := slices.Index(tierNames[:], s)
	return Tier(max(i, 0)), i >= 0
}

// TTL is how long an idle lobby of this tier is kept.
func (t Tier) TTL() time.Duration {
	switch t {
	case TierRanked:
		return 30 * time.Minute
	case TierTournament:
		return 6 * time.Hour
	case TierQuickPlay:
		return 45 * time.Second // EXPECT kvttl
	default:
		return 15 * time.Minute
	}
}

// Seats is the lobby capacity of this tier.
func (t Tier) Seats() int {
	switch t {
	case TierTournament:
		return 16
	case TierQuickPlay:
		return 4
	default:
		return 8
	}
}

// Plan is a player's subscription plan; it drives API quotas.
type Plan int

const (
	PlanFree Plan = iota
	PlanPlus
	PlanPro
)

// Window is the rate-limit accounting window for the plan.
func (p Plan) Window() time.Duration {
	switch p {
	case PlanPro:
		return 30 * time.Second
	case PlanPlus:
		return time.Minute
	default:
		return 2 * time.Minute
	}
}

// Budget is the number of requests allowed per Window.
func (p Plan) Budget() int {
	switch p {
	case PlanPro:
		return 300
	case PlanPlus:
		return 240
	default:
		return 120
	}
}

// Role is a staff role for moderation tooling.
type Role int

const (
	RoleSupport Role = iota
	RoleModerator
	RoleAdmin
)

// PageSize is how many players one moderation page shows for the role.
func (r Role) PageSize() int {
	switch r {
	case RoleAdmin:
		return 2500
	case RoleModerator:
		return 500
	default:
		return 100
	}
}
