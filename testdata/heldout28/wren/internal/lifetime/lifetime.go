// Package lifetime holds the duration vocabulary shared by the edge worker and
// the backend: how long sessions, caches and holds live, and the calendar
// arithmetic used for records that expire at the end of a day or month.
package lifetime

import "time"

// Seconds is a whole number of seconds as it appears in JSON config and in the OCPP messages chargers send us.
type Seconds int64

func (s Seconds) Duration() time.Duration { return time.Duration(s) * time.Second }

// Lifetime is how long a stored record stays valid.
type Lifetime time.Duration

// Seconds returns l in whole seconds, rounded down.
func (l Lifetime) Seconds() int { return int(time.Duration(l) / time.Second) }

// Days builds a Lifetime from an integer day count.
func Days(d int) Lifetime { return Lifetime(time.Duration(d) * 24 * time.Hour) }

const (
	SessionAbsolute  = 12 * time.Hour
	SessionIdle      = 30 * time.Minute
	LoginCode        = 10 * time.Minute
	CardCache        = 15 * time.Minute
	StatusFreshness  = 5 * time.Minute
	ReservationGrace = 15 * time.Minute
	PaymentHold      = 7 * 24 * time.Hour
)

// MinKVTTL is the shortest expiry Workers KV accepts.
const MinKVTTL = 60 * time.Second

// EndOfDay returns midnight at the end of t's day in loc.
func EndOfDay(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	y, m, d := t.Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, loc)
}

// EndOfMonth returns midnight at the start of the month after t's.
func EndOfMonth(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	y, m, _ := t.Date()
	return time.Date(y, m+1, 1, 0, 0, 0, 0, loc)
}

// StartOfHour truncates t to the hour; tariff windows start on the hour.
func StartOfHour(t time.Time) time.Time { return t.Truncate(time.Hour) }

// Clamp bounds d to [lo, hi].
func Clamp(d, lo, hi time.Duration) time.Duration {
	return min(max(d, lo), hi)
}
