// Package lifetime holds the duration vocabulary used across the service:
// named second counts coming from the API and config, lifetimes expressed in
// days or hours, and calendar arithmetic for "until midnight" style expiries.
package lifetime

import "time"

// Seconds is a whole number of seconds, as it appears in JSON payloads and
// in the KV REST API.
type Seconds int64

// Duration converts s to a time.Duration.
func (s Seconds) Duration() time.Duration { return time.Duration(s) * time.Second }

// Lifetime is how long a stored record should live.
type Lifetime time.Duration

// Duration returns l as a time.Duration.
func (l Lifetime) Duration() time.Duration { return time.Duration(l) }

// Seconds returns l in whole seconds.
func (l Lifetime) Seconds() int { return int(time.Duration(l) / time.Second) }

// Days builds a lifetime of n days.
func Days(n int) Lifetime { return Lifetime(time.Duration(n) * 24 * time.Hour) }

// Hours builds a lifetime of n hours.
func Hours(n int) Lifetime { return Lifetime(time.Duration(n) * time.Hour) }

// Common lifetimes.
const (
	Minute Lifetime = Lifetime(time.Minute)
	Hour   Lifetime = Lifetime(time.Hour)
	Day    Lifetime = Lifetime(24 * time.Hour)
	Week   Lifetime = Lifetime(7 * 24 * time.Hour)
)

// Floor is the shortest expiry the KV store accepts.
const Floor = time.Minute

// AtLeastFloor raises d to Floor when it is shorter.
func AtLeastFloor(d time.Duration) time.Duration {
	if d < Floor {
		return Floor
	}
	return d
}

// EndOfDay returns local midnight at the end of now's day in loc.
func EndOfDay(now time.Time, loc *time.Location) time.Time {
	y, m, d := now.In(loc).Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, loc)
}

// UntilEndOfDay is the time left until local midnight.
func UntilEndOfDay(now time.Time, loc *time.Location) time.Duration {
	return EndOfDay(now, loc).Sub(now)
}

// EndOfMonth returns the first instant of the next month in loc.
func EndOfMonth(now time.Time, loc *time.Location) time.Time {
	y, m, _ := now.In(loc).Date()
	return time.Date(y, m+1, 1, 0, 0, 0, 0, loc)
}

// UntilEndOfMonth is the time left in now's calendar month.
func UntilEndOfMonth(now time.Time, loc *time.Location) time.Duration {
	return EndOfMonth(now, loc).Sub(now)
}
