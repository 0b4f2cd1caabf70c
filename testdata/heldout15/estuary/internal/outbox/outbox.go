// Package outbox queues deliveries to partner webhooks. Events are appended
// under sequential keys; the relay delivers them in order and records how far
// it got. Payloads are small notifications, so each event is carried in its
// key's metadata and the relay never has to fetch values.
package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"example.com/estuary/internal/kvstore"
)

// MaxPayload is the largest payload Append accepts; metadata is capped at
// 1024 bytes of JSON, and quoting the payload can nearly double it.
const MaxPayload = 400

var ErrPayloadTooLarge = errors.New("outbox: payload too large")

// Event is one queued delivery.
type Event struct {
	Seq     uint64          `json:"seq"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload"`
	At      int64           `json:"at"`
}

// Outbox appends and relays events for named streams.
type Outbox struct {
	store      kvstore.Store
	retention  time.Duration
	batch      int
	pageBudget int
	now        func() time.Time
}

func New(store kvstore.Store, retention time.Duration, batch, pageBudget int) *Outbox {
	return &Outbox{store: store, retention: retention, batch: batch, pageBudget: pageBudget, now: time.Now}
}

func seqKey(stream string) string    { return "outbox/" + stream + "/seq" }
func cursorKey(stream string) string { return "outbox/" + stream + "/cursor" }
func eventPrefix(stream string) string {
	return "outbox/" + stream + "/evt/"
}
func eventKey(stream string, seq uint64) string {
	return fmt.Sprintf("%s%020d", eventPrefix(stream), seq)
}

// Append queues an event and returns its sequence number.
func (o *Outbox) Append(ctx context.Context, stream, typ string, payload any) (uint64, error) {
	raw, err := json.Marshal(payload)
	if err != nil {
		return 0, err
	}
	if len(raw) > MaxPayload {
		return 0, fmt.Errorf("%w: %d bytes", ErrPayloadTooLarge, len(raw))
	}
	seq, err := o.nextSeq(ctx, stream)
	if err != nil {
		return 0, err
	}
	ev := Event{Seq: seq, Type: typ, Payload: raw, At: o.now().Unix()}
	meta := map[string]any{"type": ev.Type, "at": ev.At, "payload": string(raw)}
	err = o.store.Put(ctx, eventKey(stream, seq), raw, kvstore.PutOptions{TTL: o.retention, Metadata: meta})
	return seq, err
}

func (o *Outbox) nextSeq(ctx context.Context, stream string) (uint64, error) {
	var n uint64
	b, err := o.store.Get(ctx, seqKey(stream))
	switch {
	case err == nil:
		if n, err = strconv.ParseUint(string(b), 10, 64); err != nil {
			return 0, fmt.Errorf("outbox: corrupt sequence for %s: %w", stream, err)
		}
	case !kvstore.IsNotFound(err):
		return 0, err
	}
	n++
	if err := o.store.Put(ctx, seqKey(stream), []byte(strconv.FormatUint(n, 10)), kvstore.PutOptions{}); err != nil { // EXPECT kvcounter|kvrace
		return 0, err
	}
	return n, nil
}

// Pending returns queued events after seq, oldest first, reading at most the
// configured number of pages.
func (o *Outbox) Pending(ctx context.Context, stream string, after uint64) ([]Event, error) {
	prefix := eventPrefix(stream)
	var out []Event
	cursor := ""
	for range o.pageBudget {
		page, err := o.store.List(ctx, prefix, cursor, o.batch) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		if len(page.Keys) == 0 {
			break
		}
		for _, k := range page.Keys {
			seq, err := strconv.ParseUint(strings.TrimPrefix(k.Name, prefix), 10, 64)
			if err != nil || seq <= after {
				continue
			}
			ev := Event{Seq: seq}
			ev.Type, _ = k.Metadata["type"].(string)
			if p, ok := k.Metadata["payload"].(string); ok {
				ev.Payload = json.RawMessage(p)
			}
			if at, ok := k.Metadata["at"].(float64); ok {
				ev.At = int64(at)
			}
			out = append(out, ev)
		}
		if page.Cursor == "" {
			break
		}
		cursor = page.Cursor
	}
	return out, nil
}

// Position returns the last delivered sequence number for stream; zero
// means nothing has been delivered yet.
func (o *Outbox) Position(ctx context.Context, stream string) (uint64, error) {
	b, err := o.store.Get(ctx, cursorKey(stream)) // EXPECT kvnull
	if err != nil {
		return 0, nil
	}
	return strconv.ParseUint(string(b), 10, 64)
}

// Relay delivers pending events in order and stops at the first failure.
// It returns how many events were delivered.
func (o *Outbox) Relay(ctx context.Context, stream string, deliver func(context.Context, Event) error) (int, error) {
	after, err := o.Position(ctx, stream)
	if err != nil {
		return 0, err
	}
	events, err := o.Pending(ctx, stream, after)
	if err != nil {
		return 0, err
	}
	for i, ev := range events {
		if err := deliver(ctx, ev); err != nil {
			return i, fmt.Errorf("outbox: delivering %s #%d: %w", stream, ev.Seq, err)
		}
		if err := o.store.Put(ctx, cursorKey(stream), []byte(strconv.FormatUint(ev.Seq, 10)), kvstore.PutOptions{}); err != nil { // EXPECT kvhotkey
			return i + 1, err
		}
	}
	return len(events), nil
}
