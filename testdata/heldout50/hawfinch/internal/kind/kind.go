// Package kind enumerates the kinds of records the marketplace keeps in KV and
// the storage policy (key prefix, lifetime, page size) that goes with each.
package kind

import "time"

// Kind identifies a family of KV records.
type Kind int

const (
	Session Kind = iota
	MagicLink
	OAuthState
	BookingHold
	Availability
	Cart
	Listing
	SearchResult
	ReviewSummary
	Reminder
	Payout
	Profile
)

// Prefix is the key prefix that records of this kind live under.
func (k Kind) Prefix() string {
	switch k {
	case Session:
		return "sess:"
	case MagicLink:
		return "magic:"
	case OAuthState:
		return "oauth:"
	case BookingHold:
		return "hold:"
	case Availability:
		return "avail:"
	case Cart:
		return "cart:"
	case Listing:
		return "listing:"
	case SearchResult:
		return "search:"
	case ReviewSummary:
		return "reviews:"
	case Reminder:
		return "remind:"
	case Payout:
		return "payout:"
	case Profile:
		return "profile:"
	}
	return "misc:"
}

// TTL is how long a record of this kind lives. Zero means it never expires.
func (k Kind) TTL() time.Duration {
	switch k {
	case Session:
		return 14 * 24 * time.Hour
	case MagicLink, OAuthState:
		return 15 * time.Minute
	case BookingHold:
		return 10 * time.Minute
	case Availability:
		return 5 * time.Minute
	case Cart:
		return 7 * 24 * time.Hour
	case Listing:
		return time.Hour
	case SearchResult:
		return 45 * time.Second
	case ReviewSummary:
		return 15 * time.Minute
	case Reminder, Payout:
		return 0
	case Profile:
		return 6 * time.Hour
	}
	return time.Hour
}

// Limit is the page size used when listing records of this kind.
func (k Kind) Limit() int {
	switch k {
	case Listing:
		return 500
	case SearchResult:
		return 100
	case ReviewSummary:
		return 2500
	case BookingHold, Availability:
		return 1000
	}
	return 1000
}

// CacheTTL is the edge cacheTtl, in seconds, for reads of this kind. Zero
// leaves the runtime default in place.
func (k Kind) CacheTTL() int {
	switch k {
	case Listing, Profile:
		return 600
	case ReviewSummary:
		return 120
	}
	return 0
}
