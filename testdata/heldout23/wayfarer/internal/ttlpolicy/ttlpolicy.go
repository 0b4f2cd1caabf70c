// Package ttlpolicy centralises how long each kind of cached or ephemeral
// record lives.
package ttlpolicy

import "time"

// Floor is the shortest expiry Workers KV accepts.
const Floor = time.Minute

const (
	// NegativeFlightLookup caches "no such flight" answers from the status
	// provider so typos don't hammer it.
	NegativeFlightLookup = 15 * time.Second // EXPECT kvttl
	// MagicLink is the validity of an e-mailed sign-in link.
	MagicLink = 15 * time.Minute
	// SignInAttemptsWindow bounds the failed sign-in tally.
	SignInAttemptsWindow = 15 * time.Minute
	// TripSummary is the lifetime of list projections; they are rebuilt on
	// every trip write anyway.
	TripSummary = 24 * time.Hour
)

// Clamp raises d to Floor. Use it for any TTL computed at run time.
func Clamp(d time.Duration) time.Duration {
	if d < Floor {
		return Floor
	}
	return d
}

// Tier classifies cached data by how quickly it goes stale.
type Tier int

const (
	TierHot Tier = iota
	TierWarm
	TierCold
	TierArchive
)

// TTL is the cache lifetime for the tier.
func (t Tier) TTL() time.Duration {
	switch t {
	case TierHot:
		return 30 * time.Second // EXPECT kvttl
	case TierWarm:
		return 10 * time.Minute
	case TierCold:
		return 6 * time.Hour
	default:
		return 7 * 24 * time.Hour
	}
}

// TierForDeparture picks the tier of a flight status from how soon the
// flight leaves.
func TierForDeparture(until time.Duration) Tier {
	switch {
	case until < 3*time.Hour:
		return TierHot
	case until < 48*time.Hour:
		return TierWarm
	default:
		return TierCold
	}
}
