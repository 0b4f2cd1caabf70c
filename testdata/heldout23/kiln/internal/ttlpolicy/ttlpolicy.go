// Package ttlpolicy centralises how long cached and transient records live.
package ttlpolicy

import "time"

// Shared lifetimes used by several services.
const (
	BookingHold       = 15 * time.Minute
	MagicLinkLifetime = 10 * time.Minute
	SessionLifetime   = 12 * time.Hour
	RateWindow        = time.Minute
	// KilnStatusRefresh is how often kiln controllers push their status.
	KilnStatusRefresh = 30 * time.Second
)

// Tier classifies cached projections by how quickly they go stale.
type Tier int

const (
	TierStatic Tier = iota
	TierCatalog
	TierAvailability
	TierVolatile
)

// TTL returns the cache lifetime for the tier.
func (t Tier) TTL() time.Duration {
	switch t {
	case TierStatic:
		return 24 * time.Hour
	case TierCatalog:
		return 10 * time.Minute
	case TierAvailability:
		return 2 * time.Minute
	case TierVolatile:
		return 20 * time.Second // EXPECT kvttl
	default:
		return time.Hour
	}
}
