// Package calendar computes the local-calendar boundaries that schedules,
// overrides and statements expire on.
package calendar

import "time"

// EndOfDay returns midnight after t in t's location.
func EndOfDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, t.Location())
}

// EndOfWeek returns the Monday 00:00 following t.
func EndOfWeek(t time.Time) time.Time {
	day := EndOfDay(t)
	for day.Weekday() != time.Monday {
		day = day.AddDate(0, 0, 1)
	}
	return day
}

// EndOfBillingMonth returns the first instant of the next billing period.
// Billing periods start on cycleDay (1..28) of each month.
func EndOfBillingMonth(t time.Time, cycleDay int) time.Time {
	y, m, d := t.Date()
	start := time.Date(y, m, cycleDay, 0, 0, 0, 0, t.Location())
	if d < cycleDay {
		return start
	}
	return start.AddDate(0, 1, 0)
}

// StartOfHour truncates t to the hour in UTC.
func StartOfHour(t time.Time) time.Time {
	return t.UTC().Truncate(time.Hour)
}
