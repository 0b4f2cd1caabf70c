package kvttl

import (
	"context"
	"time"

	"kvlint.test/cfv6/ttlbatch"
)

type event struct {
	ID string
	At time.Time
}

// What is left of each event's retention, sent in one batch after the
// loop.
func importEvents(ctx context.Context, ns *ttlbatch.Namespace, events []event) error {
	entries := make([]ttlbatch.Entry, 0, len(events))
	for _, e := range events {
		left := time.Until(e.At.Add(30 * 24 * time.Hour))
		entries = append(entries, ttlbatch.Entry{Key: "event:" + e.ID, Value: "1", TTL: left}) // want `ExpirationTTL \(passed to ttlbatch.BulkPut\) is counted down to a moment`
	}
	return ns.BulkPut(ctx, entries)
}

// Quiet: events with less than an hour left are skipped, so every entry
// sent has an hour or more.
func importRecentEvents(ctx context.Context, ns *ttlbatch.Namespace, events []event) error {
	entries := make([]ttlbatch.Entry, 0, len(events))
	for _, e := range events {
		left := time.Until(e.At.Add(30 * 24 * time.Hour))
		if left < time.Hour {
			continue
		}
		entries = append(entries, ttlbatch.Entry{Key: "event:" + e.ID, Value: "1", TTL: left})
	}
	return ns.BulkPut(ctx, entries)
}
