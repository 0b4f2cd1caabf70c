// Package ttl holds the lifetimes used across the practice's edge and
// back-office services, and the small calendar helpers that turn
// appointment times into expiries.
package ttl

import (
	"time"
)

// Floor is the shortest expiry the key-value store accepts, for relative
// and absolute expirations alike.
const Floor = 60 * time.Second

// Lifetimes of the records we keep. Anything that has to survive longer
// than a few days belongs in the clinical record system, not here.
const (
	CodeLifetime    = 10 * time.Minute
	ResendCooldown  = 30 * time.Second
	LockoutWindow   = 15 * time.Minute
	JoinGrace       = 15 * time.Minute
	JoinEarly       = 10 * time.Minute
	PortalSession   = 12 * time.Hour
	PortalIdle      = 30 * time.Minute
	DeviceRemember  = 30 * 24 * time.Hour
	SummaryCache    = 6 * time.Hour
	ScheduleCache   = 5 * time.Minute
	AvailabilityTTL = 2 * time.Minute
	RefillPending   = 72 * time.Hour
	MagicLink       = 20 * time.Minute
	RefreshToken    = 14 * 24 * time.Hour
)

// Seconds is a whole number of seconds, the unit the store's expiry
// options are expressed in.
type Seconds int64

// Duration converts s to a time.Duration.
func (s Seconds) Duration() time.Duration { return time.Duration(s) * time.Second }

// Int returns s as an int for SDK option structs.
func (s Seconds) Int() int { return int(s) }

// Float returns s as a float64 for the REST client's parameters.
func (s Seconds) Float() float64 { return float64(s) }

// Of truncates d to whole seconds.
func Of(d time.Duration) Seconds { return Seconds(d / time.Second) }

// Lifetime is how long a record should live once written.
type Lifetime time.Duration

// Duration converts l to a time.Duration.
func (l Lifetime) Duration() time.Duration { return time.Duration(l) }

// Seconds converts l to whole seconds.
func (l Lifetime) Seconds() Seconds { return Of(time.Duration(l)) }

// IsZero reports whether l means "never expires".
func (l Lifetime) IsZero() bool { return l == 0 }

// AtLeastFloor raises l to Floor. Zero stays zero (no expiry).
func (l Lifetime) AtLeastFloor() Lifetime {
	if l == 0 {
		return 0
	}
	if time.Duration(l) < Floor {
		return Lifetime(Floor)
	}
	return l
}

// Days returns a lifetime of n calendar days of 24 hours.
func Days(n int) Lifetime { return Lifetime(time.Duration(n) * 24 * time.Hour) }

// EndOfDay returns midnight at the end of t's day in loc.
func EndOfDay(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, loc)
}

// EndOfMonth returns midnight on the first day of the month after t's, in loc.
func EndOfMonth(t time.Time, loc *time.Location) time.Time {
	y, m, _ := t.In(loc).Date()
	return time.Date(y, m+1, 1, 0, 0, 0, 0, loc)
}

// StartOfHour truncates t to the hour in UTC.
func StartOfHour(t time.Time) time.Time { return t.UTC().Truncate(time.Hour) }

// Until returns the lifetime left until t, which may be negative.
func Until(t, now time.Time) Lifetime { return Lifetime(t.Sub(now)) }

// UntilAtLeast is Until raised to the store's floor.
func UntilAtLeast(t, now time.Time) Lifetime {
	l := Until(t, now)
	if l.Duration() < Floor {
		return Lifetime(Floor)
	}
	return l
}
