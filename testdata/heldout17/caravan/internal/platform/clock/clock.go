// Package clock abstracts the wall clock so services can be tested with fixed time.
package clock

import "time"

// Clock reports the current time.
type Clock interface {
	Now() time.Time
}

// System is the real wall clock, in UTC.
type System struct{}

func (System) Now() time.Time { return time.Now().UTC() }

// Fixed always reports T.
type Fixed struct{ T time.Time }

func (f Fixed) Now() time.Time { return f.T }

// StartOfDay truncates t to midnight in its own location.
func StartOfDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}
