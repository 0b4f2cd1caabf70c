// Package clock provides an injectable time source so that expirations and
// schedules can be computed deterministically in tests.
package clock

import (
	"time"
)

// Clock reports the current time.
type Clock interface {
	Now() time.Time
}

// System is the wall clock.
type System struct{}

// Now returns time.Now in UTC.
func (System) Now() time.Time { return time.Now().UTC() }

// Func adapts a plain function to the Clock interface.
type Func func() time.Time

// Now calls f.
func (f Func) Now() time.Time { return f() }

// Since is Now().Sub(t) on the given clock.
func Since(c Clock, t time.Time) time.Duration { return c.Now().Sub(t) }

// Until is t.Sub(Now()) on the given clock.
func Until(c Clock, t time.Time) time.Duration { return t.Sub(c.Now()) }
