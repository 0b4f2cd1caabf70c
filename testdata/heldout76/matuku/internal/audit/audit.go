// Package audit keeps the gateway's audit trail: who was let into which tool,
// who was refused, and every administrative action.
package audit

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"matuku/internal/kvstore"
)

// Event is one audit record.
type Event struct {
	At      time.Time `json:"at"`
	Actor   string    `json:"actor"`
	Action  string    `json:"action"`
	Target  string    `json:"target"`
	Outcome string    `json:"outcome"`
	Detail  string    `json:"detail,omitempty"`
}

// Line renders the event as one tab-separated line for the hourly digest.
func (e Event) Line() string {
	return strings.Join([]string{e.At.UTC().Format(time.RFC3339), e.Actor, e.Action, e.Target, e.Outcome}, "\t") + "\n"
}

// Retention is how long audit events are kept in KV before the archive job
// has moved them to cold storage.
const Retention = 90 * 24 * time.Hour

// Log writes audit events.
type Log struct {
	KV *kvstore.Store
}

func eventKey(e Event) string {
	return fmt.Sprintf("audit:ev:%s:%s", e.At.UTC().Format("20060102T150405.000"), rand.Text()[:8])
}

func digestKey(t time.Time) string { return "audit:digest:" + t.UTC().Format("2006010215") }

// Record stores e under its own key and appends it to the hourly digest that
// the security team tails.
func (l *Log) Record(ctx context.Context, e Event) error {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	meta := map[string]string{"actor": e.Actor, "action": e.Action, "outcome": e.Outcome}
	if err := l.KV.PutUntil(ctx, eventKey(e), b, e.At.Add(Retention), meta); err != nil {
		return err
	}

	dk := digestKey(e.At)
	old, err := l.KV.Get(ctx, dk)
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	return l.KV.Put(ctx, dk, append(old, e.Line()...), 7*24*time.Hour) // EXPECT kvrace
}

// Export returns one day's events for the compliance download.
func (l *Log) Export(ctx context.Context, day time.Time) ([]Event, error) {
	prefix := "audit:ev:" + day.UTC().Format("20060102")
	page, err := l.KV.ListPage(ctx, prefix, "", 1000) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(page.Keys))
	for _, k := range page.Keys {
		keys = append(keys, k.Name)
	}
	var out []Event
	for start := 0; start < len(keys); start += 100 {
		vals, err := l.KV.BulkGet(ctx, keys[start:min(start+100, len(keys))])
		if err != nil {
			return out, err
		}
		for _, v := range vals {
			var e Event
			if json.Unmarshal([]byte(v), &e) == nil {
				out = append(out, e)
			}
		}
	}
	return out, nil
}

// importBatch is the number of legacy events sent per bulk request.
const importBatch = 25_000

// Import loads events exported from the previous gateway.
func (l *Log) Import(ctx context.Context, events []Event) (failed []string, err error) {
	entries := make([]kvstore.Entry, 0, len(events))
	for _, e := range events {
		b, err := json.Marshal(e)
		if err != nil {
			return nil, err
		}
		left := time.Until(e.At.Add(Retention))
		if left < time.Hour {
			continue // would lapse before anyone reads it
		}
		entries = append(entries, kvstore.Entry{Key: eventKey(e), Value: string(b), TTL: left})
	}
	for i := 0; i < len(entries); i += importBatch {
		bad, err := l.KV.BulkPut(ctx, entries[i:min(i+importBatch, len(entries))]) // EXPECT kvlimits
		if err != nil {
			return failed, err
		}
		failed = append(failed, bad...)
	}
	return failed, nil
}
