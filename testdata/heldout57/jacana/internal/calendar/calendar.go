// Package calendar computes the learner-facing calendar boundaries that quota,
// streak and billing keys expire on.
package calendar

import "time"

// EndOfDay returns midnight at the end of t's day in loc.
func EndOfDay(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	y, m, d := t.Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, loc)
}

// StartOfDay returns midnight at the start of t's day in loc.
func StartOfDay(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// EndOfWeek returns the Monday 00:00 following t (ISO weeks).
func EndOfWeek(t time.Time, loc *time.Location) time.Time {
	start := StartOfDay(t, loc)
	offset := (int(start.Weekday()) + 6) % 7 // days since Monday
	return start.AddDate(0, 0, 7-offset)
}

// EndOfBillingMonth returns the next billing anchor after t. Anchors past the
// end of a short month fall on its last day.
func EndOfBillingMonth(t time.Time, anchorDay int) time.Time {
	t = t.UTC()
	y, m, _ := t.Date()
	next := anchorIn(y, m, anchorDay)
	if !next.After(t) {
		next = anchorIn(y, m+1, anchorDay)
	}
	return next
}

func anchorIn(y int, m time.Month, day int) time.Time {
	last := time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
	return time.Date(y, m, min(day, last), 0, 0, 0, 0, time.UTC)
}

// HourBucket truncates t to the hour, in UTC.
func HourBucket(t time.Time) time.Time {
	return t.UTC().Truncate(time.Hour)
}

// ISOWeek returns a compact year*100+week number.
func ISOWeek(t time.Time) int {
	y, w := t.ISOWeek()
	return y*100 + w
}
