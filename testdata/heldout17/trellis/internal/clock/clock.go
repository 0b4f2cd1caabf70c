// Package clock provides an injectable time source.
package clock

import "time"

// Clock reports the current time.
type Clock interface {
	Now() time.Time
}

// System is the wall clock.
type System struct{}

// Now returns time.Now.
func (System) Now() time.Time { return time.Now() }

// Fixed always reports the same instant; it is meant for tests.
type Fixed time.Time

// Now returns the fixed instant.
func (f Fixed) Now() time.Time { return time.Time(f) }

// MonthKey renders t as YYYY-MM, the bucket used for monthly usage.
func MonthKey(t time.Time) string { return t.UTC().Format("2006-01") }
