//go:build js && wasm

// Package lobby implements rooms and invite codes for the lobby Worker.
package lobby

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/arcadia-games/shoveler/internal/config"
	"github.com/arcadia-games/shoveler/internal/kvbase"
	"github.com/arcadia-games/shoveler/internal/tenant"
)

// Room is an open lobby room.
type Room struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Mode       string    `json:"mode"`
	Host       string    `json:"host"`
	Members    []string  `json:"members"`
	Spectators []string  `json:"spectators,omitempty"`
	MaxPlayers int       `json:"max_players"`
	CreatedAt  time.Time `json:"created_at"`
}

// Full reports whether the room has no free seat.
func (r *Room) Full() bool { return len(r.Members) >= r.MaxPlayers }

// RoomStore persists rooms. It embeds the generic table and shadows Put to
// validate rooms before they are written.
type RoomStore struct {
	kvbase.Table[Room]
	names *kv.Namespace
	cfg   config.Config
}

// NewRoomStore returns a store over the ROOMS namespace; names holds the
// display-name index.
func NewRoomStore(rooms, names *kv.Namespace, cfg config.Config, rec *kvbase.Recorder) *RoomStore {
	return &RoomStore{
		Table: kvbase.Table[Room]{NS: rooms, Prefix: "room", TTL: cfg.RoomTTL, Metrics: rec},
		names: names,
		cfg:   cfg,
	}
}

// Put validates r and stores it under its ID.
func (s *RoomStore) Put(ctx context.Context, r Room) error {
	if r.ID == "" || r.MaxPlayers < 2 || r.MaxPlayers > 64 {
		return fmt.Errorf("lobby: invalid room %q", r.ID)
	}
	return s.Table.Put(ctx, r, r.ID)
}

// ClaimName reserves a display name for a room.
func (s *RoomStore) ClaimName(ctx context.Context, name, roomID string) error {
	key := kvbase.Keys{Tenant: tenant.From(ctx)}.RoomName(name)
	owner, err := s.names.GetString(key, nil)
	if err != nil {
		return err
	}
	if owner != "<null>" && owner != roomID {
		return &kvbase.ConflictError{Key: key, Owner: owner}
	}
	return s.names.PutString(key, roomID, &kv.PutOptions{ExpirationTTL: int(s.cfg.RoomTTL.Seconds())}) // EXPECT kvrace
}

// ReleaseName drops the name index entry when a room closes.
func (s *RoomStore) ReleaseName(ctx context.Context, name string) error {
	return s.names.Delete(kvbase.Keys{Tenant: tenant.From(ctx)}.RoomName(name))
}

// Join adds a player to a room.
func (s *RoomStore) Join(ctx context.Context, roomID, player string) error {
	return s.Update(ctx, func(r *Room) error {
		if slices.Contains(r.Members, player) {
			return nil
		}
		if r.Full() {
			return errRoomFull
		}
		r.Members = append(r.Members, player)
		return nil
	}, roomID)
}

// Spectate records a spectator and publishes the room's spectator count for the
// browse page.
func (s *RoomStore) Spectate(ctx context.Context, roomID, player string) error {
	room, err := s.Get(ctx, roomID)
	if err != nil {
		return err
	}
	room.Spectators = append(room.Spectators, player)
	if err := s.Table.Put(ctx, room, roomID); err != nil { // EXPECT kvrace
		return err
	}
	key := kvbase.Key(tenant.From(ctx), "spectators", "count", roomID)
	return s.names.PutString(key, strconv.Itoa(len(room.Spectators)), &kv.PutOptions{ExpirationTTL: 3600}) // EXPECT kvcounter
}

// OpenRooms returns the joinable rooms of a game mode for the quick-join button.
func (s *RoomStore) OpenRooms(ctx context.Context, mode string) ([]Room, error) {
	defer s.Metrics.Observe("room", "open", time.Now())
	res, err := s.NS.List(&kv.ListOptions{Prefix: s.KeyFor(ctx) + kvbase.Sep, Limit: 1000}) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	var open []Room
	for _, k := range res.Keys {
		raw, err := s.NS.GetString(k.Name, nil) // EXPECT kvlist
		if err != nil || raw == "<null>" {
			continue
		}
		var r Room
		if json.Unmarshal([]byte(raw), &r) == nil && r.Mode == mode && !r.Full() {
			open = append(open, r)
		}
	}
	return open, nil
}

// RecentRooms returns one page of room keys for the moderation view, newest
// tenants first, with the cursor to continue from.
func (s *RoomStore) RecentRooms(ctx context.Context, cursor string) ([]string, string, error) {
	defer s.Metrics.Observe("room", "recent", time.Now())
	res, err := s.NS.List(&kv.ListOptions{
		Prefix: s.KeyFor(ctx) + kvbase.Sep,
		Cursor: cursor,
		Limit:  2000, // EXPECT kvlimits
	})
	if err != nil {
		return nil, "", err
	}
	names := make([]string, len(res.Keys))
	for i, k := range res.Keys {
		names[i] = k.Name
	}
	if res.ListComplete {
		return names, "", nil
	}
	return names, res.Cursor, nil
}

var errRoomFull = errors.New("lobby: room is full")

func newID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// RoomHandlers serves the room API.
type RoomHandlers struct {
	Rooms *RoomStore
	Feed  *kv.Namespace
}

// Register installs the room routes.
func (h *RoomHandlers) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /rooms", h.create)
	mux.HandleFunc("GET /rooms", h.browse)
	mux.HandleFunc("POST /rooms/{id}/join", h.join)
	mux.HandleFunc("DELETE /rooms/{id}", h.close)
	mux.HandleFunc("GET /mod/rooms", h.recent)
}

func (h *RoomHandlers) recent(w http.ResponseWriter, r *http.Request) {
	names, next, err := h.Rooms.RecentRooms(tenant.FromRequest(r), r.URL.Query().Get("cursor"))
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": names, "cursor": next})
}

func (h *RoomHandlers) create(w http.ResponseWriter, r *http.Request) {
	ctx := tenant.FromRequest(r)
	var req struct {
		Name       string `json:"name"`
		Mode       string `json:"mode"`
		MaxPlayers int    `json:"max_players"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	host, _ := tenant.Player(ctx)
	room := Room{ID: newID(), Name: req.Name, Mode: req.Mode, Host: host, Members: []string{host}, MaxPlayers: req.MaxPlayers, CreatedAt: time.Now().UTC()}
	if err := h.Rooms.ClaimName(ctx, room.Name, room.ID); err != nil {
		writeErr(w, err)
		return
	}
	if err := h.Rooms.Put(ctx, room); err != nil {
		writeErr(w, err)
		return
	}
	feedKey := kvbase.Key(tenant.From(ctx), "rooms", "latest")
	if err := h.Feed.PutString(feedKey, room.ID, nil); err != nil { // EXPECT kvhotkey
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, room)
}

func (h *RoomHandlers) browse(w http.ResponseWriter, r *http.Request) {
	ctx := tenant.FromRequest(r)
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	ids, next, err := h.Rooms.Page(ctx, r.URL.Query().Get("cursor"), limit)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"rooms": ids, "cursor": next})
}

func (h *RoomHandlers) join(w http.ResponseWriter, r *http.Request) {
	ctx := tenant.FromRequest(r)
	player, ok := tenant.Player(ctx)
	if !ok {
		http.Error(w, "sign in first", http.StatusUnauthorized)
		return
	}
	if err := h.Rooms.Join(ctx, r.PathValue("id"), player); err != nil {
		writeErr(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *RoomHandlers) close(w http.ResponseWriter, r *http.Request) {
	ctx := tenant.FromRequest(r)
	id := r.PathValue("id")
	room, err := h.Rooms.Get(ctx, id)
	if err != nil {
		writeErr(w, err)
		return
	}
	err = errors.Join(h.Rooms.Delete(ctx, id), h.Rooms.ReleaseName(ctx, room.Name))
	if err != nil {
		writeErr(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func writeErr(w http.ResponseWriter, err error) {
	var nf *kvbase.NotFoundError
	var conflict *kvbase.ConflictError
	var throttled *kvbase.ThrottledError
	switch {
	case errors.As(err, &nf):
		http.Error(w, "not found", http.StatusNotFound)
	case errors.As(err, &conflict):
		http.Error(w, conflict.Error(), http.StatusConflict)
	case errors.As(err, &throttled):
		w.Header().Set("Retry-After", "1")
		http.Error(w, "busy, retry", http.StatusTooManyRequests)
	case errors.Is(err, errRoomFull):
		http.Error(w, err.Error(), http.StatusConflict)
	default:
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}
