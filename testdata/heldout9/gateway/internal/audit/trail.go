// Package audit keeps the trail of control-plane changes that the tenant
// dashboard shows ("who changed my rate limit?").
package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"example.com/gateway/internal/keys"
	"example.com/gateway/internal/reqctx"
	"example.com/gateway/internal/store"
)

// Event is one change.
type Event struct {
	At       time.Time `json:"at"`
	Operator string    `json:"operator"`
	Action   string    `json:"action"`
	Target   string    `json:"target"`
	Request  string    `json:"request,omitempty"`
}

type putFunc func(ctx context.Context, key string, value []byte, opts ...store.PutOption) error

// Trail queues events and writes them from one goroutine.
type Trail struct {
	st      store.Store
	put     putFunc
	in      chan Event
	dropped atomic.Int64
	log     *slog.Logger
}

// New returns a Trail with a queue of size buf.
func New(st store.Store, buf int, log *slog.Logger) *Trail {
	return &Trail{st: st, put: st.Put, in: make(chan Event, buf), log: log}
}

// Record queues an event built from the request context. It never blocks
// the request; a full queue drops the event and counts it.
func (t *Trail) Record(ctx context.Context, action, target string) {
	ev := Event{At: time.Now().UTC(), Operator: reqctx.Operator(ctx), Action: action, Target: target, Request: reqctx.RequestID(ctx)}
	select {
	case t.in <- ev:
	default:
		t.dropped.Add(1)
	}
}

// Run drains the queue until ctx is done.
func (t *Trail) Run(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case ev := <-t.in:
			if err := t.appendToDay(ctx, ev); err != nil {
				t.log.Error("audit append", "err", err)
				continue
			}
			b, _ := json.Marshal(ev)
			if err := t.put(ctx, keys.AuditLatest, b); err != nil { // EXPECT kvhotkey
				t.log.Warn("audit latest", "err", err)
			}
		}
	}
}

func (t *Trail) appendToDay(ctx context.Context, ev Event) error {
	key := keys.AuditPrefix + ev.At.Format("2006-01-02")
	var day []Event
	raw, err := t.st.Get(ctx, key)
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &day); err != nil {
			return fmt.Errorf("decode %s: %w", key, err)
		}
	case errors.Is(err, store.ErrNotFound):
	default:
		return err
	}
	day = append(day, ev)
	b, err := json.Marshal(day)
	if err != nil {
		return err
	}
	return t.st.Put(ctx, key, b, store.WithTTL(90*24*time.Hour)) // EXPECT kvrace
}

// Day returns the events of one day.
func (t *Trail) Day(ctx context.Context, day time.Time) ([]Event, error) {
	raw, err := t.st.Get(ctx, keys.AuditPrefix+day.UTC().Format("2006-01-02"))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var evs []Event
	return evs, json.Unmarshal(raw, &evs)
}
