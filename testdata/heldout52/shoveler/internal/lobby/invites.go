//go:build js && wasm

package lobby

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/arcadia-games/shoveler/internal/config"
	"github.com/arcadia-games/shoveler/internal/kvbase"
	"github.com/arcadia-games/shoveler/internal/tenant"
)

// Invite is a shareable code that drops the holder into a room.
type Invite struct {
	Code    string    `json:"code"`
	RoomID  string    `json:"room_id"`
	Creator string    `json:"creator"`
	MaxUses int       `json:"max_uses"`
	Uses    int       `json:"uses"`
	Created time.Time `json:"created"`
}

// Preview is the public card rendered on the invite landing page.
type Preview struct {
	RoomName string `json:"room_name"`
	Mode     string `json:"mode"`
	Players  int    `json:"players"`
	Max      int    `json:"max"`
}

// Handoff tells the game server which room a redeemed invite resolved to.
type Handoff struct {
	Player string `json:"player"`
	RoomID string `json:"room_id"`
	Code   string `json:"code"`
}

// PreviewStore caches invite previews.
type PreviewStore struct {
	kvbase.Table[Preview]
}

// InviteService owns the invite namespace.
type InviteService struct {
	NS       *kv.Namespace
	Bucket   *kvbase.Bucket
	Rooms    *RoomStore
	Previews *PreviewStore
	Cfg      config.Config

	mu   sync.Mutex
	hits map[string]int
}

// NewInviteService wires the invite service.
func NewInviteService(ns *kv.Namespace, rooms *RoomStore, cfg config.Config, rec *kvbase.Recorder) *InviteService {
	return &InviteService{
		NS:       ns,
		Bucket:   &kvbase.Bucket{NS: ns, Metrics: rec},
		Rooms:    rooms,
		Previews: &PreviewStore{Table: kvbase.Table[Preview]{NS: ns, Prefix: "preview", TTL: cfg.PreviewTTL, Metrics: rec}},
		Cfg:      cfg,
		hits:     map[string]int{},
	}
}

func saveJSON(st interface {
	PutTTL(context.Context, string, []byte, int) error
}, ctx context.Context, key string, v any, ttlSeconds int) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return st.PutTTL(ctx, key, b, ttlSeconds)
}

func (s *InviteService) key(ctx context.Context, code string) string {
	return kvbase.Keys{Tenant: tenant.From(ctx)}.Invite(code)
}

// Create mints a fresh invite code for a room.
func (s *InviteService) Create(ctx context.Context, roomID string, maxUses int) (Invite, error) {
	player, _ := tenant.Player(ctx)
	inv := Invite{Code: strings.ToUpper(newID()[:8]), RoomID: roomID, Creator: player, MaxUses: maxUses, Created: time.Now().UTC()}
	return inv, saveJSON(s.Bucket, ctx, s.key(ctx, inv.Code), inv, s.Cfg.InviteTTLSeconds)
}

// Redeem resolves a code to its room, counts the use and hands the player off
// to the game server.
func (s *InviteService) Redeem(ctx context.Context, code, player string) (Invite, error) {
	key := s.key(ctx, code)
	raw, err := s.NS.GetString(key, nil)
	if err != nil {
		return Invite{}, err
	}
	if raw == "<null>" {
		return Invite{}, &kvbase.NotFoundError{Key: key}
	}
	var inv Invite
	if err := json.Unmarshal([]byte(raw), &inv); err != nil {
		return Invite{}, err
	}
	if err := s.Rooms.Join(ctx, inv.RoomID, player); err != nil {
		return Invite{}, err
	}
	inv.Uses++
	if inv.MaxUses > 0 && inv.Uses >= inv.MaxUses {
		err = s.NS.Delete(key) // DEBATABLE kvsession
	} else {
		b, _ := json.Marshal(inv)
		err = s.NS.PutString(key, string(b), &kv.PutOptions{ExpirationTTL: s.Cfg.InviteTTLSeconds}) // EXPECT kvcounter|kvrace
	}
	if err != nil {
		return inv, err
	}
	handoffKey := kvbase.Key(tenant.From(ctx), "handoff", player)
	return inv, saveJSON(s.Bucket, ctx, handoffKey, Handoff{Player: player, RoomID: inv.RoomID, Code: code}, 30) // EXPECT kvttl
}

// Preview returns the landing-page card for a code, served from cache when
// possible.
func (s *InviteService) Preview(ctx context.Context, code string) (Preview, error) {
	p, err := s.Previews.Get(ctx, code)
	if err == nil {
		return p, nil
	}
	if !kvbase.IsNotFound(err) {
		return Preview{}, err
	}
	raw, err := s.Bucket.Get(ctx, s.key(ctx, code))
	if err != nil {
		return Preview{}, err
	}
	var inv Invite
	if err := json.Unmarshal(raw, &inv); err != nil {
		return Preview{}, err
	}
	room, err := s.Rooms.Get(ctx, inv.RoomID)
	if err != nil {
		return Preview{}, err
	}
	p = Preview{RoomName: room.Name, Mode: room.Mode, Players: len(room.Members), Max: room.MaxPlayers}
	return p, s.Previews.PutFor(ctx, p, 15*time.Second, code)
}

// CountHit records a landing-page view and publishes the running total.
func (s *InviteService) CountHit(ctx context.Context, code string) error {
	s.mu.Lock()
	s.hits[code]++
	n := s.hits[code]
	s.mu.Unlock()
	key := kvbase.Key(tenant.From(ctx), "invite", "hits", code)
	return s.NS.PutString(key, strconv.Itoa(n), &kv.PutOptions{ExpirationTTL: s.Cfg.InviteTTLSeconds}) // EXPECT kvcounter
}

// PurgeRoom deletes the invites that point at a closed room.
func (s *InviteService) PurgeRoom(ctx context.Context, roomID string) error {
	opts := &kv.ListOptions{Prefix: kvbase.Keys{Tenant: tenant.From(ctx)}.Prefix("invite"), Limit: 500}
	var errs []error
	for page := 0; page < s.Cfg.ListPageBudget; page++ {
		res, err := s.NS.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			raw, err := s.NS.GetString(k.Name, nil) // EXPECT kvlist
			if err != nil || raw == "<null>" {
				continue
			}
			var inv Invite
			if json.Unmarshal([]byte(raw), &inv) == nil && inv.RoomID == roomID {
				errs = append(errs, s.NS.Delete(k.Name))
			}
		}
		if res.ListComplete {
			break
		}
		opts = &kv.ListOptions{Cursor: res.Cursor, Limit: 500}
	}
	return errors.Join(errs...)
}

// InviteHandlers serves the invite API.
type InviteHandlers struct {
	Invites *InviteService
}

// Register installs the invite routes.
func (h *InviteHandlers) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /invites/{code}/redeem", h.redeem)
	mux.HandleFunc("GET /i/{code}", h.landing)
}

func (h *InviteHandlers) redeem(w http.ResponseWriter, r *http.Request) {
	ctx := tenant.FromRequest(r)
	player, ok := tenant.Player(ctx)
	if !ok {
		http.Error(w, "sign in first", http.StatusUnauthorized)
		return
	}
	inv, err := h.Invites.Redeem(ctx, r.PathValue("code"), player)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, inv)
}

func (h *InviteHandlers) landing(w http.ResponseWriter, r *http.Request) {
	ctx := tenant.FromRequest(r)
	code := r.PathValue("code")
	p, err := h.Invites.Preview(ctx, code)
	if err != nil {
		writeErr(w, err)
		return
	}
	_ = h.Invites.CountHit(ctx, code)
	writeJSON(w, http.StatusOK, p)
}
