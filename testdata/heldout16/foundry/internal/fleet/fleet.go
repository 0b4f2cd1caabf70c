// Package fleet tracks dedicated game servers and regional occupancy.
package fleet

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"example.com/foundry/internal/events"
	"example.com/foundry/internal/httpx"
	"example.com/foundry/internal/keys"
	"example.com/foundry/internal/kvstore"
)

// Heartbeat is sent by each game server every 30 seconds.
type Heartbeat struct {
	ServerID string    `json:"server_id"`
	Region   string    `json:"region"`
	Build    string    `json:"build"`
	Players  int       `json:"players"`
	At       time.Time `json:"at"`
}

// LogValue implements slog.LogValuer.
func (h Heartbeat) LogValue() slog.Value {
	return slog.GroupValue(slog.String("server", h.ServerID), slog.String("region", h.Region), slog.Int("players", h.Players))
}

// Key implements keys.Keyer.
func (h Heartbeat) Key() string { return keys.Join("fleet", "server", h.Region, h.ServerID) }

// Registry stores server heartbeats in the ops namespace.
type Registry struct {
	store kvstore.Store
	log   *slog.Logger
}

// NewRegistry returns a Registry.
func NewRegistry(store kvstore.Store, log *slog.Logger) *Registry {
	return &Registry{store: store, log: log}
}

// Beat records a heartbeat. A server that misses two beats drops out of the
// listing when its key expires.
func (r *Registry) Beat(ctx context.Context, hb Heartbeat) (map[string]int, error) {
	if hb.ServerID == "" || hb.Region == "" {
		return nil, httpx.Error(http.StatusBadRequest, "server_id and region are required")
	}
	hb.At = time.Now().UTC()
	b, _ := json.Marshal(hb)
	meta := map[string]any{"players": hb.Players, "build": hb.Build}
	if err := r.store.Put(ctx, hb.Key(), b, kvstore.WithTTL(90*time.Second), kvstore.WithMetadata(meta)); err != nil {
		return nil, err
	}
	if err := r.store.Put(ctx, "fleet/last-heartbeat", b); err != nil { // EXPECT kvhotkey
		r.log.Warn("last heartbeat", "hb", hb, "err", err)
	}
	return map[string]int{"next_in_seconds": 30}, nil
}

// Occupancy keeps a per-region count of open lobbies for the autoscaler.
type Occupancy struct{ store kvstore.Store }

// NewOccupancy returns an Occupancy tracker.
func NewOccupancy(store kvstore.Store) Occupancy { return Occupancy{store: store} }

func (o Occupancy) adjust(ctx context.Context, region string, delta int) error {
	k := keys.Join("occupancy", region)
	n := 0
	raw, err := o.store.Get(ctx, k)
	if err == nil {
		n, _ = strconv.Atoi(string(raw))
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	return o.store.Put(ctx, k, []byte(strconv.Itoa(max(n+delta, 0)))) // EXPECT kvcounter
}

// OnLobbyOpened is subscribed to events.LobbyOpened.
func (o Occupancy) OnLobbyOpened(ctx context.Context, ev events.LobbyOpened) error {
	return o.adjust(ctx, ev.Region, +1)
}

// OnLobbyClosed is subscribed to events.LobbyClosed.
func (o Occupancy) OnLobbyClosed(ctx context.Context, ev events.LobbyClosed) error {
	return o.adjust(ctx, ev.Region, -1)
}
