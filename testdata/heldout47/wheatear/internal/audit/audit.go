// Package audit keeps the append-only trail of changes made to flags,
// overrides and SDK keys.
package audit

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/template"
	"time"

	"github.com/wheatear/flagsvc/internal/kvkeys"
	"github.com/wheatear/flagsvc/internal/kvstore"
)

// Event is one audited change.
type Event struct {
	ID     string    `json:"id"`
	Env    string    `json:"env"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	Target string    `json:"target"`
	Detail string    `json:"detail,omitempty"`
	At     time.Time `json:"at"`
}

type eventMeta struct {
	Actor  string `json:"a"`
	Action string `json:"x"`
	Target string `json:"t"`
	Notice string `json:"n,omitempty"`
}

const retentionNotice = "This record is subject to a legal hold. It documents a change made to a production " +
	"feature flag configuration and must be retained for the full retention period required by the " +
	"customer's contract, the applicable data processing agreement and any regulator's order that " +
	"names the account. Do not delete, redact, re-key or move this record, and do not shorten its " +
	"expiration, without written approval from the legal team and the data protection officer. " +
	"Questions about the hold, its scope or its end date go to legal-holds@wheatear.example. Any " +
	"export of this record must carry this notice unchanged, and any copy held outside the primary " +
	"store is subject to the same hold. Access to the record is logged. The hold applies to the " +
	"record's key, value, metadata and expiration alike and survives an account's closure, a plan " +
	"downgrade and the deletion of the environment the record belongs to. Automated cleanup jobs " +
	"must skip records that carry this notice; manual cleanup requires a ticket in the LEGAL queue " +
	"that names the record, the hold and the approving counsel."

var eventKeyTmpl = template.Must(template.New("key").Parse(
	`{{.Prefix}}{{.Env}}:{{.At.UTC.Format "20060102T150405Z"}}:{{.ID}}`))

var logKeyTmpl = template.Must(template.New("log").Parse(
	`{{.Prefix}}{{.Env}}:{{.At.UTC.Format "2006-01-02"}}`))

// Recorder writes audit events to the audit namespace.
type Recorder struct {
	kv *kvstore.Client
}

// NewRecorder returns a Recorder over kv.
func NewRecorder(kv *kvstore.Client) *Recorder { return &Recorder{kv: kv} }

func render(t *template.Template, prefix, env, id string, at time.Time) (string, error) {
	var buf bytes.Buffer
	err := t.Execute(&buf, struct {
		Prefix, Env, ID string
		At              time.Time
	}{prefix, env, id, at})
	return buf.String(), err
}

func newEventID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Record stores ev under its own key. Metadata carries the fields the
// dashboard shows in listings so they don't need a read per event.
func (r *Recorder) Record(ctx context.Context, ev Event) error {
	if ev.ID == "" {
		ev.ID = newEventID()
	}
	if ev.At.IsZero() {
		ev.At = time.Now()
	}
	key, err := render(eventKeyTmpl, kvkeys.PrefixAudit, ev.Env, ev.ID, ev.At)
	if err != nil {
		return err
	}
	raw, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	meta := eventMeta{Actor: ev.Actor, Action: ev.Action, Target: truncate(ev.Target, 200)}
	return r.kv.PutMeta(ctx, key, raw, meta, ev.At.Add(kvkeys.TTLAudit*time.Second).Unix())
}

// RecordHeld stores ev with the legal-hold notice attached.
func (r *Recorder) RecordHeld(ctx context.Context, ev Event) error {
	ev.ID = newEventID()
	ev.At = time.Now()
	key, err := render(eventKeyTmpl, kvkeys.PrefixAudit, ev.Env, ev.ID, ev.At)
	if err != nil {
		return err
	}
	raw, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	meta := eventMeta{Actor: ev.Actor, Action: ev.Action, Target: ev.Target, Notice: retentionNotice}
	return r.kv.PutMeta(ctx, key, raw, meta, 0) // EXPECT kvlimits
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// AppendLog adds a human-readable line to the environment's daily log.
func (r *Recorder) AppendLog(ctx context.Context, env, line string) error {
	now := time.Now()
	key, err := render(logKeyTmpl, kvkeys.PrefixAuditLog, env, "", now)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	old, err := r.kv.Get(ctx, key)
	if err != nil && !kvstore.IsNotFound(err) {
		return err
	}
	buf.Write(old)
	fmt.Fprintf(&buf, "%s\t%s\n", now.UTC().Format(time.RFC3339), strings.ReplaceAll(line, "\n", " "))
	return r.kv.PutWithTTL(ctx, key, buf.Bytes(), 90*24*time.Hour) // EXPECT kvrace
}

// Export writes the events of env between from and to as newline-delimited
// JSON, at most maxPages pages of keys.
func (r *Recorder) Export(ctx context.Context, env string, from, to time.Time, w io.Writer) (int, error) {
	const maxPages = 20
	enc := json.NewEncoder(w)
	prefix := kvkeys.PrefixAudit + env + ":"
	cursor := ""
	n := 0
pages:
	for page := 0; page < maxPages; page++ {
		keys, next, err := r.kv.ListPage(ctx, prefix, cursor, 1000)
		if err != nil {
			return n, err
		}
		for _, k := range keys {
			stamp, _, _ := strings.Cut(strings.TrimPrefix(k.Name, prefix), ":")
			at, err := time.Parse("20060102T150405Z", stamp)
			if err != nil || at.Before(from) {
				continue
			}
			if at.After(to) {
				break pages
			}
			raw, err := r.kv.Get(ctx, k.Name) // EXPECT kvlist
			if kvstore.IsNotFound(err) {
				continue
			} else if err != nil {
				return n, err
			}
			if err := enc.Encode(json.RawMessage(raw)); err != nil {
				return n, err
			}
			n++
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return n, nil
}
