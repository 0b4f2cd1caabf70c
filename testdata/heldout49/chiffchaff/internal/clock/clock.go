// Package clock provides the time source used by services and jobs so that
// lifetimes and deadlines can be computed deterministically in tests.
package clock

import "time"

// Clock reports the current time.
type Clock interface {
	Now() time.Time
}

// System is the wall clock.
type System struct{}

// Now returns time.Now in UTC.
func (System) Now() time.Time { return time.Now().UTC() }

// Fixed is a clock frozen at a single instant.
type Fixed time.Time

// Now returns the frozen instant.
func (f Fixed) Now() time.Time { return time.Time(f) }

// Func adapts a Clock to the func form some packages take.
func Func(c Clock) func() time.Time {
	if c == nil {
		c = System{}
	}
	return c.Now
}
