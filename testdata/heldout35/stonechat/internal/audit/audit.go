// Package audit keeps the per-invoice audit trail shown to customers.
package audit

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"stonechat/internal/ids"
	"stonechat/internal/kvstore"
)

// Entry is one line of the trail.
type Entry struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
}

// Trail is the audit trail of all invoices of one namespace.
type Trail struct {
	store *kvstore.Store
}

// New returns a trail over store.
func New(store *kvstore.Store) *Trail { return &Trail{store: store} }

func trailKey(inv ids.InvoiceID) string { return inv.Key() + "/audit" }

// Append adds e to the trail of inv.
func (t *Trail) Append(ctx context.Context, inv ids.InvoiceID, e Entry) error {
	var entries []Entry
	raw, err := t.store.Get(ctx, trailKey(inv))
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(raw, &entries); err != nil {
			return err
		}
	}
	entries = append(entries, e)
	buf, err := json.Marshal(entries)
	if err != nil {
		return err
	}
	return t.store.Put(ctx, trailKey(inv), buf) // EXPECT kvrace
}

// Read returns the trail of inv.
func (t *Trail) Read(ctx context.Context, inv ids.InvoiceID) ([]Entry, error) {
	raw, err := t.store.Get(ctx, trailKey(inv))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var entries []Entry
	return entries, json.Unmarshal(raw, &entries)
}

// Snapshot writes an immutable copy of the trail under a per-time key, used
// when an invoice is finalised.
func (t *Trail) Snapshot(ctx context.Context, inv ids.InvoiceID, entries []Entry, at time.Time) error {
	buf, err := json.Marshal(entries)
	if err != nil {
		return err
	}
	return t.store.Put(ctx, trailKey(inv)+"/snap/"+at.UTC().Format(time.RFC3339), buf)
}
