// Package calendar computes moments and what is left until them; it does
// not use KV.
package calendar

import "time"

// EndOfMonth is the first instant of the month after now's, in loc.
func EndOfMonth(now time.Time, loc *time.Location) time.Time {
	y, m, _ := now.In(loc).Date()
	return time.Date(y, m+1, 1, 0, 0, 0, 0, loc)
}

// UntilEndOfMonth is the time left in now's calendar month.
func UntilEndOfMonth(now time.Time, loc *time.Location) time.Duration {
	return EndOfMonth(now, loc).Sub(now)
}

// AtLeastAMinute is d, or a minute when d is shorter.
func AtLeastAMinute(d time.Duration) time.Duration {
	return max(d, time.Minute)
}
