// Package audit records who did what to the ledger, and keeps a short
// free-text trail per customer for shop staff.
package audit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"

	"example.com/ledger/internal/consts"
	"example.com/ledger/internal/storage"
)

// Event is one audited action.
type Event struct {
	At      time.Time         `json:"at"`
	Actor   string            `json:"actor"`
	ShopID  string            `json:"shop_id"`
	Action  string            `json:"action"`
	Subject string            `json:"subject"`
	Detail  map[string]string `json:"detail,omitempty"`
}

// Recorder writes events under fresh keys; events are never updated.
type Recorder struct {
	w         storage.Writer
	retention time.Duration
	now       func() time.Time
}

// NewRecorder returns a Recorder that keeps events for retention.
func NewRecorder(w storage.Writer, retention time.Duration) *Recorder {
	return &Recorder{w: w, retention: max(retention, 24*time.Hour), now: time.Now}
}

// Record stores ev. Errors are returned but callers usually only log them.
func (r *Recorder) Record(ctx context.Context, ev Event) error {
	if ev.At.IsZero() {
		ev.At = r.now().UTC()
	}
	var id [6]byte
	_, _ = rand.Read(id[:])
	key := consts.PrefixAudit.Key(ev.At.Format("20060102"), ev.At.Format("150405.000"), hex.EncodeToString(id[:]))
	b, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	return r.w.Put(ctx, key, string(b), storage.WithTTL(r.retention))
}

// Trail is an append-only note log per customer.
type Trail struct {
	rw       storage.ReadWriter
	maxBytes int
	now      func() time.Time
}

// NewTrail returns a Trail capped at maxBytes per customer.
func NewTrail(rw storage.ReadWriter, maxBytes int) *Trail {
	return &Trail{rw: rw, maxBytes: maxBytes, now: time.Now}
}

// Append adds a timestamped line to the subject's trail.
func (t *Trail) Append(ctx context.Context, shopID, subject, author, line string) error {
	key := consts.PrefixTrail.Key(shopID, subject)
	old, err := t.rw.Get(ctx, key)
	if err != nil && !storage.IsNotFound(err) {
		return err
	}
	entry := t.now().UTC().Format(time.RFC3339) + " " + author + ": " + strings.ReplaceAll(line, "\n", " ")
	text := entry
	if old != "" {
		text = old + "\n" + entry
	}
	if t.maxBytes > 0 && len(text) > t.maxBytes {
		text = text[len(text)-t.maxBytes:]
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			text = text[i+1:]
		}
	}
	return t.rw.Put(ctx, key, text) // EXPECT kvrace
}

// Read returns the subject's trail lines, newest last.
func (t *Trail) Read(ctx context.Context, shopID, subject string) ([]string, error) {
	raw, err := t.rw.Get(ctx, consts.PrefixTrail.Key(shopID, subject))
	if storage.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return strings.Split(raw, "\n"), nil
}

// Purge deletes audit events from days before cutoff, visiting at most
// maxPages pages. It returns the number of deleted keys.
func Purge(ctx context.Context, s storage.Store, cutoff time.Time, maxPages int) (int, error) {
	q := storage.ListQuery{Prefix: string(consts.PrefixAudit) + ":", Limit: 1000}
	stop := consts.PrefixAudit.Key(cutoff.UTC().Format("20060102"))
	deleted := 0
	for range maxPages {
		page, err := s.List(ctx, q) // EXPECT kvlist
		if err != nil {
			return deleted, err
		}
		for _, k := range page.Keys {
			if k >= stop {
				return deleted, nil
			}
			if err := s.Delete(ctx, k); err != nil {
				return deleted, err
			}
			deleted++
		}
		if page.Complete {
			break
		}
		q = storage.ListQuery{Cursor: page.Cursor, Limit: 1000}
	}
	return deleted, nil
}
