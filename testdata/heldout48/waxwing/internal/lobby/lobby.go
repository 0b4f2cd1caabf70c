//go:build js && wasm

// Package lobby serves the lobby list, lobby creation and joining at the
// edge. Lobbies live in the LOBBIES namespace; the player's session records
// the lobby they are in.
package lobby

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"golang.org/x/sync/singleflight"

	"github.com/lanternforge/waxwing/internal/edgekv"
	"github.com/lanternforge/waxwing/internal/keys"
	"github.com/lanternforge/waxwing/internal/session"
)

// Binding is the wrangler.toml binding of the lobby namespace.
const Binding = "LOBBIES"

const (
	indexTTL     = 15 * time.Minute
	heartbeatTTL = 30 // seconds; hosts ping every 10 s
	pageSize     = 50
)

// Lobby is a room players gather in before a match.
type Lobby struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Host       string    `json:"host"`
	Mode       string    `json:"mode"`
	Region     string    `json:"region"`
	Players    []string  `json:"players"`
	MaxPlayers int       `json:"max_players"`
	Created    time.Time `json:"created"`
}

func recordKey(id string) keys.Key { return keys.Lobbies.With(id) }

func openKey(region, id string) string {
	return keys.Lobbies.Child("open").With(region).With(id).String()
}

// Handler serves the lobby routes.
type Handler struct {
	Log *slog.Logger
}

// open binds the lobby namespace and, with withSessions, the session one.
func (h *Handler) open(w http.ResponseWriter, withSessions bool) (lobbies, sessions *edgekv.Logged) {
	lobbies, err := edgekv.OpenLogged(Binding, h.Log)
	if err == nil && withSessions {
		sessions, err = session.Open(h.Log)
	}
	if err != nil {
		h.Log.Error("kv bindings", "err", err)
		http.Error(w, "misconfigured", http.StatusInternalServerError)
		return nil, nil
	}
	return lobbies, sessions
}

func unavailable(w http.ResponseWriter) { http.Error(w, "try again", http.StatusServiceUnavailable) }

// lobbyTTL is how long an idle lobby survives, from LOBBY_TTL_SECONDS.
func lobbyTTL() time.Duration {
	n, err := strconv.Atoi(cloudflare.Getenv("LOBBY_TTL_SECONDS"))
	if err != nil || n <= 0 {
		n = 7200
	}
	return time.Duration(n) * time.Second
}

var modesGroup singleflight.Group

// modes returns the game modes lobbies may be created for.
func modes(kv *edgekv.Logged) ([]string, error) {
	v, err, _ := modesGroup.Do("modes", func() (any, error) {
		raw, ok, err := kv.GetCached(keys.Config.Child("modes").String(), 10*time.Second) // EXPECT kvttl
		if err != nil || !ok {
			return []string{"duel", "squad"}, err
		}
		var m []string
		return m, json.Unmarshal([]byte(raw), &m)
	})
	m, _ := v.([]string)
	return m, err
}

// List serves GET /lobbies?cursor=: one page of open lobbies in the player's
// region and the cursor of the next page.
func (h *Handler) List(w http.ResponseWriter, r *http.Request) {
	kv, _ := h.open(w, false)
	if kv == nil {
		return
	}
	prefix := keys.Lobbies.Child("open").With(session.Region(r)).Prefix()
	res, err := kv.List(prefix, r.URL.Query().Get("cursor"), pageSize)
	if err != nil {
		unavailable(w)
		return
	}
	var out struct {
		IDs    []string `json:"ids"`
		Cursor string   `json:"cursor,omitempty"`
	}
	for _, k := range res.Keys {
		out.IDs = append(out.IDs, strings.TrimPrefix(k.Name, prefix))
	}
	if !res.ListComplete {
		out.Cursor = res.Cursor
	}
	if err := kv.Put(keys.Lobbies.Child("last-browse").String(), time.Now().UTC().Format(time.RFC3339), 0); err != nil { // EXPECT kvhotkey
		h.Log.Warn("last-browse", "err", err)
	}
	json.NewEncoder(w).Encode(out)
}

// Create serves POST /lobbies.
func (h *Handler) Create(w http.ResponseWriter, r *http.Request) {
	kv, sessions := h.open(w, true)
	if kv == nil {
		return
	}
	s := session.Require(sessions, w, r)
	if s == nil {
		return
	}
	var req struct {
		Name string `json:"name"`
		Mode string `json:"mode"`
		Max  int    `json:"max_players"`
	}
	err := json.NewDecoder(r.Body).Decode(&req)
	allowed, merr := modes(kv)
	if err != nil || merr != nil || strings.TrimSpace(req.Name) == "" || !slices.Contains(allowed, req.Mode) {
		http.Error(w, "bad lobby", http.StatusBadRequest)
		return
	}
	rawMax, err := kv.Store().Namespace().GetString(keys.Config.Child("max-lobby-size").String(), nil) // EXPECT kvnull
	if err != nil {
		unavailable(w)
		return
	}
	maxSize, err := strconv.Atoi(rawMax)
	if err != nil {
		http.Error(w, "lobby limits unavailable", http.StatusInternalServerError)
		return
	}
	nameKey := keys.Lobbies.Child("name").With(strings.ToLower(strings.TrimSpace(req.Name))).String()
	if _, taken, err := kv.Get(nameKey); err != nil || taken {
		http.Error(w, "a lobby with that name exists", http.StatusConflict)
		return
	}
	l := Lobby{ID: rand.Text(), Name: req.Name, Host: s.Player, Mode: req.Mode, Region: s.Region,
		Players: []string{s.Player}, MaxPlayers: min(max(req.Max, 2), maxSize), Created: time.Now().UTC()}
	if err := kv.Put(nameKey, l.ID, lobbyTTL()); err != nil { // EXPECT kvrace
		unavailable(w)
		return
	}
	body, _ := json.Marshal(l)
	batch := edgekv.NewBatch(kv)
	batch.Put(recordKey(l.ID).String(), string(body), lobbyTTL())
	batch.Put(openKey(l.Region, l.ID), l.Name, indexTTL)
	if err := batch.Flush(r.Context()); err != nil {
		unavailable(w)
		return
	}
	if err := kv.Put(keys.Lobbies.Child("latest").String(), l.ID, 0); err != nil { // EXPECT kvhotkey
		h.Log.Warn("latest lobby", "err", err)
	}
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(l)
}

// Join serves POST /lobbies/{id}/join.
func (h *Handler) Join(w http.ResponseWriter, r *http.Request) {
	kv, sessions := h.open(w, true)
	if kv == nil {
		return
	}
	s := session.Require(sessions, w, r)
	if s == nil {
		return
	}
	key := recordKey(r.PathValue("id")).String()
	raw, err := kv.Store().Namespace().GetString(key, nil) // EXPECT kvnull
	if err != nil {
		unavailable(w)
		return
	}
	var l Lobby
	if err := json.Unmarshal([]byte(raw), &l); err != nil {
		http.Error(w, "lobby unreadable", http.StatusInternalServerError)
		return
	}
	if !slices.Contains(l.Players, s.Player) {
		if len(l.Players) >= l.MaxPlayers {
			http.Error(w, "lobby is full", http.StatusConflict)
			return
		}
		l.Players = append(l.Players, s.Player)
	}
	body, _ := json.Marshal(l)
	s.LobbyID = l.ID
	sessBody, _ := json.Marshal(s)

	lobbyWrites, sessionWrites := edgekv.NewBatch(kv), edgekv.NewBatch(sessions)
	lobbyWrites.Put(key, string(body), lobbyTTL())               // EXPECT kvrace
	sessionWrites.Put(s.Key(), string(sessBody), 7*24*time.Hour) // EXPECT kvsession|kvrace
	edgekv.NewCache(kv, 0).Forget(key)
	cloudflare.WaitUntil(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := errors.Join(lobbyWrites.Flush(ctx), sessionWrites.Flush(ctx)); err != nil {
			h.Log.Error("join writes", "lobby", l.ID, "err", err)
		}
	})
	json.NewEncoder(w).Encode(l)
}
