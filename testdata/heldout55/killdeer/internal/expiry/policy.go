// Package expiry computes how long records live. Policies are chosen per
// record family from configuration.
package expiry

import "time"

// Policy returns the lifetime of a record written at now.
type Policy interface {
	TTL(now time.Time) time.Duration
}

// Fixed is a constant lifetime.
type Fixed struct{ D time.Duration }

func (f Fixed) TTL(time.Time) time.Duration { return f.D }

// UntilReset lives until the next daily reset at Hour:00 UTC.
type UntilReset struct{ Hour int }

func (u UntilReset) TTL(now time.Time) time.Duration { return NextReset(now, u.Hour).Sub(now) }

// Floor never returns less than Min.
type Floor struct {
	Inner Policy
	Min   time.Duration
}

func (f Floor) TTL(now time.Time) time.Duration { return max(f.Inner.TTL(now), f.Min) }

// NextReset returns the next hour:00 UTC strictly after now.
func NextReset(now time.Time, hour int) time.Time {
	now = now.UTC()
	r := time.Date(now.Year(), now.Month(), now.Day(), hour, 0, 0, 0, time.UTC)
	if !r.After(now) {
		r = r.Add(24 * time.Hour)
	}
	return r
}

// Named picks a policy by configuration name.
func Named(name string, base time.Duration, resetHour int) Policy {
	switch name {
	case "daily":
		return Floor{Inner: UntilReset{Hour: resetHour}, Min: time.Minute}
	case "fixed", "":
		return Fixed{D: base}
	default:
		return Floor{Inner: Fixed{D: base}, Min: time.Minute}
	}
}
