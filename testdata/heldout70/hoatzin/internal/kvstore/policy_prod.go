//go:build prod

package kvstore

import "time"

// NewPolicy returns the production lifetimes.
func NewPolicy() Policy {
	return Policy{
		Session:  24 * time.Hour,
		Ticket:   10 * time.Minute,
		Presence: 2 * time.Minute,
		Profile:  15 * time.Minute,
		Board:    5 * time.Minute,
	}
}
