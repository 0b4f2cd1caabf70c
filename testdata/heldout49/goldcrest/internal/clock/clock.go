// Package clock provides the time source shared by the dispatch backend and
// the nightly jobs, so lifetimes and deadlines can be driven from tests.
package clock

import "time"

// Clock reports the current time.
type Clock interface {
	Now() time.Time
}

// System is the wall clock in UTC.
type System struct{}

// Now implements Clock.
func (System) Now() time.Time { return time.Now().UTC() }
