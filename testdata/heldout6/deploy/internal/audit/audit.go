// Package audit records who deployed what, where and when.
package audit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"example.com/deploy/internal/clock"
	"example.com/deploy/internal/store"
)

// Event is one audited action.
type Event struct {
	ID      string            `json:"id"`
	App     string            `json:"app"`
	Env     string            `json:"env"`
	Version string            `json:"version,omitempty"`
	Actor   string            `json:"actor"`
	Action  string            `json:"action"`
	At      time.Time         `json:"at"`
	Meta    map[string]string `json:"meta,omitempty"`
}

// Line is the compact form kept in the daily digest.
type Line struct {
	At      time.Time `json:"at"`
	App     string    `json:"app"`
	Action  string    `json:"action"`
	Version string    `json:"version,omitempty"`
	Actor   string    `json:"actor"`
}

// Log writes and queries audit events.
type Log struct {
	st        store.Store
	retention time.Duration
	pageSize  int
	clock     clock.Clock
}

// New returns a Log keeping events for retention.
func New(st store.Store, retention time.Duration, c clock.Clock) *Log {
	return &Log{st: st, retention: retention, pageSize: 50, clock: clock.Or(c)}
}

func day(t time.Time) string { return t.UTC().Format("2006-01-02") }

func eventPrefix(env string, t time.Time) string { return "event/" + env + "/" + day(t) + "/" }

// Record stores ev and folds it into the day's digest and counters.
func (l *Log) Record(ctx context.Context, ev Event) error {
	id := make([]byte, 6)
	_, _ = rand.Read(id)
	ev.At = l.clock.Now().UTC()
	ev.ID = ev.At.Format("150405.000") + "-" + hex.EncodeToString(id)
	raw, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	err = l.st.PutMany(ctx, []store.Entry{{
		Key:       eventPrefix(ev.Env, ev.At) + ev.ID,
		Value:     raw,
		ExpiresAt: ev.At.Add(l.retention).UnixMilli(), // EXPECT kvttl
		Metadata:  map[string]any{"action": ev.Action, "app": ev.App},
	}})
	if err != nil {
		return fmt.Errorf("audit event: %w", err)
	}
	if err := l.appendDigest(ctx, ev); err != nil {
		return err
	}
	statKey := "stats/" + ev.Env + "/" + ev.Action + "/" + day(ev.At)
	_, err = store.Incr(ctx, l.st, statKey, 1, store.WithTTL(l.retention))
	return err
}

func (l *Log) appendDigest(ctx context.Context, ev Event) error {
	key := "digest/" + ev.Env + "/" + day(ev.At)
	lines, err := store.GetJSON[[]Line](ctx, l.st, key)
	if err != nil && !store.IsNotFound(err) {
		return err
	}
	lines = append(lines, Line{At: ev.At, App: ev.App, Action: ev.Action, Version: ev.Version, Actor: ev.Actor})
	return store.PutJSON(ctx, l.st, key, lines, store.WithTTL(l.retention)) // EXPECT kvrace
}

// Query returns one page of full events for env on the day containing t.
func (l *Log) Query(ctx context.Context, env string, t time.Time, cursor string) ([]Event, string, error) {
	page, err := l.st.List(ctx, store.ListRequest{Prefix: eventPrefix(env, t), Cursor: cursor, Limit: l.pageSize})
	if err != nil {
		return nil, "", err
	}
	events := make([]Event, 0, len(page.Keys))
	for _, k := range page.Keys {
		ev, err := store.GetJSON[Event](ctx, l.st, k.Name) // EXPECT kvlist
		if store.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, "", err
		}
		events = append(events, ev)
	}
	return events, page.Cursor, nil
}
