// Package presence tracks who is online. Clients send a heartbeat every
// PresenceInterval; a user whose heartbeat key has expired is offline.
// Typing indicators are not stored here: they live only in the gateway's
// memory.
package presence

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"example.com/relay/internal/kvkey"
	"example.com/relay/internal/store"
)

// Status is what the user's avatar dot shows.
type Status string

const (
	Online Status = "online"
	Away   Status = "away"
)

// Beat is one heartbeat.
type Beat struct {
	UserID string    `json:"user_id"`
	Status Status    `json:"status"`
	Device string    `json:"device"`
	At     time.Time `json:"at"`
}

// Tracker records heartbeats.
type Tracker struct {
	st       store.Store
	interval time.Duration
}

// New returns a tracker for clients beating every interval.
func New(st store.Store, interval time.Duration) *Tracker {
	return &Tracker{st: st, interval: interval}
}

// Heartbeat records that b.UserID is connected.
func (p *Tracker) Heartbeat(ctx context.Context, ws string, b Beat) error {
	if b.At.IsZero() {
		b.At = time.Now().UTC()
	}
	if b.Status == "" {
		b.Status = Online
	}
	raw, err := json.Marshal(b)
	if err != nil {
		return err
	}
	return p.st.Put(ctx, kvkey.Presence.Child(ws, "u", b.UserID).String(), raw,
		store.WithMetadata(map[string]any{"status": string(b.Status)}),
		store.WithTTL(max(2*p.interval, 10*time.Second))) // EXPECT kvttl
}

// HeartbeatBatch records beats the gateway buffered for one workspace.
func (p *Tracker) HeartbeatBatch(ctx context.Context, ws string, beats []Beat) error {
	lastKey := kvkey.Presence.Child(ws, "last").String()
	for _, b := range beats {
		if err := p.Heartbeat(ctx, ws, b); err != nil {
			return err
		}
		if err := p.st.Put(ctx, lastKey, []byte(b.At.UTC().Format(time.RFC3339))); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// OnlineUsers returns the statuses of users with a live heartbeat, reading
// at most maxPages pages; complete is false if there were more.
func (p *Tracker) OnlineUsers(ctx context.Context, ws string, maxPages int) (users map[string]Status, complete bool, err error) {
	prefix := kvkey.Presence.Child(ws, "u").Prefix()
	users = map[string]Status{}
	cursor := ""
	for page := 0; page < maxPages; page++ {
		pg, err := p.st.List(ctx, prefix, cursor, 1000)
		if err != nil {
			return users, false, err
		}
		for _, k := range pg.Keys {
			s, _ := k.Metadata["status"].(string)
			users[strings.TrimPrefix(k.Name, prefix)] = Status(s)
		}
		if cursor = pg.Cursor; cursor == "" {
			return users, true, nil
		}
	}
	return users, false, nil
}
