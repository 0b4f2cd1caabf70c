package kvx

import "time"

// MinLifetime is the shortest lifetime the edge store accepts.
const MinLifetime = time.Minute

// EndOfDay is local midnight following t in loc.
func EndOfDay(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, loc)
}

// EndOfWeek is the Monday 00:00 UTC following t.
func EndOfWeek(t time.Time) time.Time {
	day := t.UTC().Truncate(24 * time.Hour)
	off := (int(time.Monday) - int(day.Weekday()) + 7) % 7
	if off == 0 {
		off = 7
	}
	return day.AddDate(0, 0, off)
}

// EndOfBillingMonth is the start of the next billing period for an account
// whose period starts on anchorDay of each month.
func EndOfBillingMonth(t time.Time, anchorDay int) time.Time {
	t = t.UTC()
	anchor := time.Date(t.Year(), t.Month(), anchorDay, 0, 0, 0, 0, time.UTC)
	if !anchor.After(t) {
		anchor = anchor.AddDate(0, 1, 0)
	}
	return anchor
}

// WeekID names the ISO week containing t, e.g. 2025-W07.
func WeekID(t time.Time) (year, week int) {
	return t.UTC().ISOWeek()
}

// UntilAtLeast is time.Until(t) but never shorter than MinLifetime.
func UntilAtLeast(t time.Time) time.Duration {
	return AtLeast(time.Until(t), MinLifetime)
}
