// Package notices sends overdue and pickup notices from the nightly cron.
package notices

import (
	"context"
	"strings"
	"time"

	"example.com/wicket/internal/domain/catalog"
)

// Notice is one email to one patron about one copy.
type Notice struct {
	Copy     catalog.CopyID
	Patron   string
	DaysLate int
	DueAt    time.Time
}

// Sender delivers notices, e.g. through the council's mail relay.
type Sender interface {
	Send(ctx context.Context, n Notice) error
}

// ID identifies the notice for deduplication: one per copy and lateness tier.
func (n Notice) ID() string { return string(n.Copy) + ":" + Tier(n.DaysLate) }

// Subject renders the email subject line.
func (n Notice) Subject() string {
	switch {
	case n.DaysLate >= 28:
		return "Final reminder: library item overdue"
	case n.DaysLate >= 7:
		return "Library item overdue"
	default:
		return "Your library item is due back"
	}
}

// parseDueKey splits a "due:yyyymmdd:copy:patron" index key.
func parseDueKey(k string) (due time.Time, c catalog.CopyID, p string, ok bool) {
	parts := strings.SplitN(k, ":", 4)
	if len(parts) != 4 || parts[0] != "due" {
		return time.Time{}, "", "", false
	}
	due, err := time.Parse("20060102", parts[1])
	if err != nil {
		return time.Time{}, "", "", false
	}
	return due, catalog.CopyID(parts[2]), parts[3], true
}

// Tier buckets how late an item is, so each patron gets at most one notice
// per bucket.
func Tier(daysLate int) string {
	switch {
	case daysLate >= 28:
		return "final"
	case daysLate >= 7:
		return "week"
	case daysLate >= 1:
		return "first"
	default:
		return ""
	}
}
