// Package clock provides the time source used across phalarope services.
//
// Services take a Clock so that token lifetimes, delivery schedules and the
// nightly cleanup window can be driven deterministically in tests.
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
