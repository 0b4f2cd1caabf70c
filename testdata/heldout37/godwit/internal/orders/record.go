// Package orders keeps order-status pages and their event timelines in KV.
package orders

import (
	"context"
	"encoding/json"
	"time"

	"godwit/internal/kvstore"
)

// Event is one step in an order's life.
type Event struct {
	Kind string    `json:"kind"`
	At   time.Time `json:"at"`
	Note string    `json:"note,omitempty"`
}

// Record is what the order-status page renders.
type Record struct {
	ID         string    `json:"id"`
	Status     string    `json:"status"`
	Email      string    `json:"email"`
	TotalCents int64     `json:"total_cents"`
	Events     []Event   `json:"events"`
	PlacedAt   time.Time `json:"placed_at"`
	ArchiveAt  time.Time `json:"archive_at"`
}

// KeyFor is the key of an order's record in the SHOP namespace.
func KeyFor(id string) kvstore.Key { return kvstore.Key("order").Child(id) }

// notesKey holds free-text notes the support team adds to an order.
func notesKey(id string) kvstore.Key { return KeyFor(id).Child("notes") }

// Retention is how long an order page stays up after delivery.
const Retention = 90 * 24 * time.Hour

// AppendEvent adds ev to the order's timeline and status.
func AppendEvent(ctx context.Context, s kvstore.Store, id string, ev Event) error {
	key := KeyFor(id)
	raw, err := s.Get(ctx, key)
	if err != nil {
		return err
	}
	var rec Record
	if raw != kvstore.Missing {
		if err := json.Unmarshal([]byte(raw), &rec); err != nil {
			return err
		}
	}
	rec.ID = id
	rec.Status = ev.Kind
	rec.Events = append(rec.Events, ev)
	if ev.Kind == "delivered" {
		rec.ArchiveAt = ev.At.Add(Retention)
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return s.Put(ctx, key, string(b), 0) // EXPECT kvrace
}

// AddNote appends a support note to the order.
func AddNote(ctx context.Context, s kvstore.Store, id, author, note string) error {
	line := time.Now().UTC().Format(time.RFC3339) + " " + author + ": " + note
	return kvstore.AppendLine(ctx, s, notesKey(id), line, 0)
}
