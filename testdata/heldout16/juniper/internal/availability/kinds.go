// Package availability caches bookable slots, capacity and the partner
// availability feed in KV in front of the reservations database.
package availability

import "time"

// Kind classifies cached documents by how fast they go stale.
type Kind int

const (
	KindSlotsToday Kind = iota
	KindSlotsFuture
	KindCapacity
	KindPartnerFeed
)

// TTL is the built-in lifetime of each kind.
func (k Kind) TTL() time.Duration {
	switch k {
	case KindSlotsToday:
		return 30 * time.Second
	case KindSlotsFuture:
		return 15 * time.Minute
	case KindCapacity:
		return time.Hour
	case KindPartnerFeed:
		return 5 * time.Minute
	}
	return time.Minute
}

// Policy overrides built-in lifetimes per kind (from configuration).
type Policy map[Kind]time.Duration

// TTLFunc returns a lookup that prefers the policy and falls back to the
// kind's default.
func (p Policy) TTLFunc() func(Kind) time.Duration {
	return func(k Kind) time.Duration {
		if d, ok := p[k]; ok && d > 0 {
			return d
		}
		return k.TTL()
	}
}
