// Package clock holds the time arithmetic shared by the service: day
// boundaries in a city's zone and expirations that KV will accept.
package clock

import "time"

// MinExpiry is the shortest expiration Workers KV accepts.
const MinExpiry = time.Minute

// Clock is the time source injected into services.
type Clock interface{ Now() time.Time }

// System is the wall clock.
type System struct{}

// Now implements Clock.
func (System) Now() time.Time { return time.Now() }

// StartOfDay returns local midnight of t's day in loc.
func StartOfDay(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// EndOfDay returns the local midnight that ends t's day in loc.
func EndOfDay(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, loc)
}

// UTCDay truncates t to the start of its UTC day.
func UTCDay(t time.Time) time.Time {
	return t.UTC().Truncate(24 * time.Hour)
}

// AtLeast returns d, raised to floor when it is shorter.
func AtLeast(d, floor time.Duration) time.Duration {
	if d < floor {
		return floor
	}
	return d
}

// expirySlack covers request latency and clock skew between us and KV, so
// that an expiry computed as exactly MinExpiry is not refused on arrival.
const expirySlack = 5 * time.Second

// ExpiryAfter returns an absolute expiry in Unix seconds, d after now but
// never less than MinExpiry plus some slack.
func ExpiryAfter(now time.Time, d time.Duration) int64 {
	return now.Add(AtLeast(d, MinExpiry+expirySlack)).Unix()
}
