// Package clock provides an injectable time source so that expirations and
// TTLs can be computed deterministically in tests.
package clock

import "time"

// Clock reports the current time.
type Clock interface{ Now() time.Time }

// System is the wall clock.
type System struct{}

// Now returns time.Now in UTC.
func (System) Now() time.Time { return time.Now().UTC() }

// Fixed always reports the same instant.
type Fixed time.Time

// Now returns the fixed instant.
func (f Fixed) Now() time.Time { return time.Time(f) }
