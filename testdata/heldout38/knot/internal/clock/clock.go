// Package clock provides the time source used across the service so that
// hold expiries and feed lifetimes can be exercised deterministically.
package clock

import "time"

// Clock reports the current time.
type Clock interface {
	Now() time.Time
}

// System is the wall clock.
type System struct{}

// Now returns time.Now().
func (System) Now() time.Time { return time.Now() }

// Until returns the duration from c's now until t.
func Until(c Clock, t time.Time) time.Duration {
	return t.Sub(c.Now())
}
