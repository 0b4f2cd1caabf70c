// Package presence tracks which players are online in which lobby. Clients
// keep a heartbeat going while connected; entries expire when it stops.
package presence

import (
	"cmp"
	"context"
	"encoding/json"
	"log"
	"sync"
	"time"

	"example.com/paddock/internal/keys"
	"example.com/paddock/internal/store"
)

// Status is a player's presence state.
type Status string

const (
	Online Status = "online"
	Away   Status = "away"
	InGame Status = "in_game"
)

// Entry is one heartbeat record.
type Entry struct {
	Player string    `json:"player"`
	Lobby  string    `json:"lobby"`
	Status Status    `json:"status"`
	At     time.Time `json:"at"`
}

type meta struct {
	Status Status `json:"s"`
	At     int64  `json:"t"`
}

func entryKey(lobby, player string) string { return keys.Presence(lobby, player) }

func lobbyPrefix(lobby string) string { return keys.Presence(lobby) + ":" }

// Beacon sends heartbeats for one connected player.
type Beacon struct {
	Store    store.Store
	Lobby    string
	Player   string
	Interval time.Duration
	Status   func() Status
}

// Run heartbeats until ctx is cancelled.
func (b *Beacon) Run(ctx context.Context) error {
	interval := cmp.Or(b.Interval, 20*time.Second)
	t := time.NewTicker(interval)
	defer t.Stop()
	if err := b.beat(ctx, time.Now(), interval); err != nil {
		log.Printf("presence: first beat for %s: %v", b.Player, err)
	}
	for {
		select {
		case <-ctx.Done():
			return b.Store.Delete(context.WithoutCancel(ctx), entryKey(b.Lobby, b.Player))
		case now := <-t.C:
			if err := b.beat(ctx, now, interval); err != nil {
				log.Printf("presence: beat for %s: %v", b.Player, err)
			}
		}
	}
}

func (b *Beacon) beat(ctx context.Context, now time.Time, interval time.Duration) error {
	status := Online
	if b.Status != nil {
		status = b.Status()
	}
	ttl := max(3*interval, 10*time.Second) // EXPECT kvttl
	e := Entry{Player: b.Player, Lobby: b.Lobby, Status: status, At: now.UTC()}
	return store.PutJSON(ctx, b.Store, entryKey(b.Lobby, b.Player), e, store.WriteOptions{ // DEBATABLE kvhotkey
		TTL:      ttl,
		Metadata: meta{Status: status, At: now.Unix()},
	})
}

// Roster answers "who is online in this lobby", with a short local cache.
type Roster struct {
	Store    store.Store
	MaxPages int
	cache    sync.Map // lobby -> rosterSnapshot
}

type rosterSnapshot struct {
	players map[string]Status
	taken   time.Time
}

const rosterFresh = 5 * time.Second

// Online returns the players with a live heartbeat in lobby.
func (r *Roster) Online(ctx context.Context, lobby string) (map[string]Status, error) {
	if v, ok := r.cache.Load(lobby); ok {
		snap := v.(rosterSnapshot)
		if time.Since(snap.taken) < rosterFresh {
			return snap.players, nil
		}
	}
	players := make(map[string]Status)
	q := store.ListQuery{Prefix: lobbyPrefix(lobby), Limit: 200}
	for range cmp.Or(r.MaxPages, 4) {
		page, err := r.Store.List(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, k := range page.Keys {
			var m meta
			if json.Unmarshal(k.Metadata, &m) != nil {
				continue
			}
			players[k.Name[len(q.Prefix):]] = m.Status
		}
		if page.Done() {
			break
		}
		q.Cursor = page.Cursor
	}
	r.cache.Store(lobby, rosterSnapshot{players: players, taken: time.Now()})
	return players, nil
}

// Forget drops the cached roster of lobby.
func (r *Roster) Forget(lobby string) { r.cache.Delete(lobby) }
