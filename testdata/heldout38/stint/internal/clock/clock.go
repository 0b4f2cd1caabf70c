// Package clock abstracts the wall clock so that expiry arithmetic can be
// exercised deterministically.
package clock

import "time"

// Clock reports the current time.
type Clock interface {
	Now() time.Time
}

// System is the real wall clock.
type System struct{}

// Now returns time.Now().
func (System) Now() time.Time { return time.Now() }

// Func adapts a plain function to Clock.
type Func func() time.Time

// Now calls f.
func (f Func) Now() time.Time { return f() }

// Until returns the duration from c's now until t.
func Until(c Clock, t time.Time) time.Duration { return t.Sub(c.Now()) }
