// Package keys builds storage keys step by step: each helper fixes one part
// of a key and returns a function for the next.
package keys

import "time"

const Sep = ":"

// In returns a two-step key function: In("ops")("tickets-open") gives a
// function from an id to "ops:tickets-open:id".
func In(tenant string) func(kind string) func(id string) string {
	return func(kind string) func(id string) string {
		return func(id string) string { return tenant + Sep + kind + Sep + id }
	}
}

// Bucket names the time window that t falls in.
func Bucket(t time.Time, width time.Duration) string {
	return t.UTC().Truncate(width).Format("20060102T1504")
}

func Hour(t time.Time) string { return t.UTC().Format("2006010215") }
