// Package audit records who changed what. Entries are written once under a
// fresh, time-sortable key and never modified.
package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"example.com/flagship/internal/kvkey"
	"example.com/flagship/internal/storage"
)

// Retention is how long entries are kept.
const Retention = 90 * 24 * time.Hour

// Entry is one audited action.
type Entry struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	Target string    `json:"target"`
}

// Log writes and reads audit entries.
type Log struct{ kv storage.Store }

// New returns an audit log over kv.
func New(kv storage.Store) *Log { return &Log{kv: kv} }

// Record writes e under a new key; a summary goes in metadata so Tail needs
// no per-key reads.
func (l *Log) Record(ctx context.Context, e Entry) error {
	if e.At.IsZero() {
		e.At = time.Now().UTC()
	}
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	id := e.At.Format("150405.000000000") + "-" + kvkey.NewID()[:8]
	return l.kv.Put(ctx, kvkey.Audit.Child(kvkey.Day(e.At), id).String(), b,
		storage.WithTTL(Retention),
		storage.WithMetadata(map[string]string{"a": e.Actor, "x": e.Action, "t": e.Target}))
}

// AddToDigest appends e to today's digest shown on the console home page.
func (l *Log) AddToDigest(ctx context.Context, e Entry) error {
	key := kvkey.Key("audit-digest").Child(kvkey.Day(time.Now())).String()
	var entries []Entry
	b, err := l.kv.Get(ctx, key)
	switch {
	case err == nil:
		if err := json.Unmarshal(b, &entries); err != nil {
			return fmt.Errorf("audit: digest: %w", err)
		}
	case !errors.Is(err, storage.ErrNotFound):
		return err
	}
	entries = append(entries, e)
	if len(entries) > 200 {
		entries = entries[len(entries)-200:]
	}
	out, err := json.Marshal(entries)
	if err != nil {
		return err
	}
	return l.kv.Put(ctx, key, out, storage.WithTTL(48*time.Hour)) // EXPECT kvrace
}

// Tail returns the summaries of up to max entries for day.
func (l *Log) Tail(ctx context.Context, day string, max int) ([]map[string]any, error) {
	var out []map[string]any
	cursor := ""
	for pages := 0; pages < 10 && len(out) < max; pages++ {
		p, err := l.kv.List(ctx, kvkey.Audit.Child(day).Prefix(), cursor, storage.WithLimit(500))
		if err != nil {
			return out, err
		}
		for _, e := range p.Entries {
			m, _ := e.Metadata.(map[string]any)
			out = append(out, map[string]any{"key": e.Name, "summary": m})
		}
		if p.Complete {
			break
		}
		cursor = p.Cursor
	}
	return out[:min(len(out), max)], nil
}

// Export writes every full entry for day as JSON lines.
func (l *Log) Export(ctx context.Context, day string, w io.Writer, maxPages int) (int, error) {
	n, cursor := 0, ""
	for pages := 0; pages < maxPages; pages++ {
		p, err := l.kv.List(ctx, kvkey.Audit.Child(day).Prefix(), cursor)
		if err != nil {
			return n, err
		}
		for _, e := range p.Entries {
			b, err := l.kv.Get(ctx, e.Name) // EXPECT kvlist
			if storage.IsNotFound(err) {
				continue // expired between list and get
			}
			if err != nil {
				return n, err
			}
			if _, err := fmt.Fprintf(w, "%s\n", b); err != nil {
				return n, err
			}
			n++
		}
		if p.Complete {
			return n, nil
		}
		cursor = p.Cursor
	}
	return n, fmt.Errorf("audit: export of %s stopped after %d pages", day, maxPages)
}
