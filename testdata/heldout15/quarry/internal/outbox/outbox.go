// Package outbox records integration events next to the state change that
// produced them; the scheduled relay publishes them to subscribers.
package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"example.com/quarry/internal/config"
	"example.com/quarry/internal/ids"
	"example.com/quarry/internal/storage"
)

// Event is one outbox entry.
type Event struct {
	Seq     int64           `json:"seq"`
	Type    string          `json:"type"`
	Account ids.AccountID   `json:"account"`
	Payload json.RawMessage `json:"payload"`
	At      time.Time       `json:"at"`
}

// Publisher delivers an event downstream; it must be idempotent on Seq.
type Publisher func(ctx context.Context, ev Event) error

type Outbox struct {
	store    storage.Store
	seqKey   string
	prefix   string
	batch    int
	eventTTL time.Duration
	now      func() time.Time
}

func New(store storage.Store, keys config.Keys, c config.Outbox) *Outbox {
	return &Outbox{
		store:    store,
		seqKey:   keys.OutboxSeq,
		prefix:   keys.OutboxEvents,
		batch:    c.Batch,
		eventTTL: c.EventTTL.Duration,
		now:      time.Now,
	}
}

func (o *Outbox) eventKey(seq int64) string { return fmt.Sprintf("%s%020d", o.prefix, seq) }

func (o *Outbox) nextSeq(ctx context.Context) (int64, error) {
	var cur int64
	raw, err := o.store.Get(ctx, o.seqKey)
	switch {
	case err == nil:
		if cur, err = strconv.ParseInt(string(raw), 10, 64); err != nil {
			return 0, fmt.Errorf("outbox: corrupt sequence: %w", err)
		}
	case !errors.Is(err, storage.ErrNotFound):
		return 0, err
	}
	next := cur + 1
	if err := o.store.Put(ctx, o.seqKey, []byte(strconv.FormatInt(next, 10)), storage.PutOptions{}); err != nil { // EXPECT kvcounter|kvrace|kvhotkey
		return 0, err
	}
	return next, nil
}

// Append stores an event and returns its sequence number.
func (o *Outbox) Append(ctx context.Context, typ string, acct ids.AccountID, payload any) (int64, error) {
	body, err := json.Marshal(payload)
	if err != nil {
		return 0, fmt.Errorf("outbox: payload: %w", err)
	}
	seq, err := o.nextSeq(ctx)
	if err != nil {
		return 0, err
	}
	ev := Event{Seq: seq, Type: typ, Account: acct, Payload: body, At: o.now().UTC()}
	b, err := json.Marshal(ev)
	if err != nil {
		return 0, err
	}
	if err := o.store.Put(ctx, o.eventKey(seq), b, storage.PutOptions{TTL: o.eventTTL}); err != nil {
		return 0, fmt.Errorf("outbox: store event %d: %w", seq, err)
	}
	return seq, nil
}

// Relay publishes up to one batch of pending events, oldest first, deleting
// each once delivered. more reports whether pending events remain.
func (o *Outbox) Relay(ctx context.Context, publish Publisher) (n int, more bool, err error) {
	page, err := o.store.List(ctx, o.prefix, "", o.batch)
	if err != nil {
		return 0, false, fmt.Errorf("outbox: list: %w", err)
	}
	for _, key := range page.Keys {
		raw, err := o.store.Get(ctx, key) // EXPECT kvlist
		if storage.IsNotFound(err) {
			continue // expired or relayed by an overlapping run
		}
		if err != nil {
			return n, true, err
		}
		var ev Event
		if err := json.Unmarshal(raw, &ev); err != nil {
			return n, true, fmt.Errorf("outbox: decode %s: %w", key, err)
		}
		if err := publish(ctx, ev); err != nil {
			return n, true, fmt.Errorf("outbox: publish %d: %w", ev.Seq, err)
		}
		if err := o.store.Delete(ctx, key); err != nil {
			return n, true, err
		}
		n++
	}
	return n, !page.Complete, nil
}
