// Package analytics records clicks on short links.
package analytics

import "time"

// ClickEvent is what the redirect handler enqueues for every click.
type ClickEvent struct {
	Slug    string    `json:"slug"`
	Country string    `json:"country,omitempty"`
	Referer string    `json:"referer,omitempty"`
	At      time.Time `json:"at"`
}

// DayKey is the per-day click total written by the queue consumer.
func DayKey(day time.Time, slug string) string {
	return "clicks:day:" + day.UTC().Format("2006-01-02") + ":" + slug
}
