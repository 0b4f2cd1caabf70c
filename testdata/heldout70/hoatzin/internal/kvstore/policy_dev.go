//go:build !prod

package kvstore

import "time"

// NewPolicy returns short lifetimes so that local runs against the staging
// namespace clean up after themselves quickly.
func NewPolicy() Policy {
	return Policy{
		Session:  time.Hour,
		Ticket:   2 * time.Minute,
		Presence: 20 * time.Second, // EXPECT kvttl
		Profile:  time.Minute,
		Board:    time.Minute,
	}
}
