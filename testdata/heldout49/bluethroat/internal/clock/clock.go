// Package clock lets services take the current time as a dependency so that
// hold windows, session lifetimes and report cut-offs can be computed and tested
// against a fixed instant.
package clock

import "time"

// Clock reports the current time.
type Clock interface {
	Now() time.Time
}

// System is the wall clock, in UTC.
type System struct{}

// Now implements Clock.
func (System) Now() time.Time { return time.Now().UTC() }

// Func adapts a plain function to Clock.
type Func func() time.Time

// Now implements Clock.
func (f Func) Now() time.Time { return f() }
