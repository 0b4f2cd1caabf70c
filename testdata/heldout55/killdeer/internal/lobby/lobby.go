//go:build js && wasm

// Package lobby implements matchmaking lobbies and tickets at the edge.
package lobby

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/killdeer-games/killdeer/internal/config"
	"github.com/killdeer-games/killdeer/internal/edgekv"
	"github.com/killdeer-games/killdeer/internal/httpx"
)

// Lobby is a pre-match room.
type Lobby struct {
	ID      string   `json:"id"`
	Host    string   `json:"host"`
	Mode    string   `json:"mode"`
	Region  string   `json:"region"`
	Max     int      `json:"max"`
	Players []string `json:"players"`
	Updated int64    `json:"updated"`
}

// Full reports whether no seat is left.
func (l *Lobby) Full() bool { return len(l.Players) >= l.Max }

// ticketHold is how long a matchmaking ticket reserves a seat.
const ticketHold = 45 * time.Second

// countdown is the lead time shown to clients before a lobby starts.
const countdown = 30

var ErrFull = &httpx.StatusError{Code: 409, Msg: "lobby full"}

// Service is the lobby API.
type Service struct {
	ns *edgekv.Namespace
}

// New returns a Service over ns.
func New(ns *edgekv.Namespace) *Service { return &Service{ns: ns} }

func newLobbyID() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

type CreateReq struct {
	Host   string `json:"host"`
	Mode   string `json:"mode"`
	Region string `json:"region"`
	Max    int    `json:"max"`
}

// Create opens a lobby and lists it in the mode's open index.
func (s *Service) Create(ctx context.Context, req CreateReq) (*Lobby, error) {
	cfg := config.Load()
	l := &Lobby{
		ID:      newLobbyID(),
		Host:    req.Host,
		Mode:    req.Mode,
		Region:  req.Region,
		Max:     min(max(req.Max, 2), 16),
		Players: []string{req.Host},
		Updated: time.Now().Unix(),
	}
	raw, err := json.Marshal(l)
	if err != nil {
		return nil, err
	}
	if err := s.ns.PutString(s.ns.Key("lobby", l.ID), string(raw), &edgekv.PutOptions{
		ExpirationTTL: int(cfg.LobbyIdle.Duration), // EXPECT kvttl
	}); err != nil {
		return nil, err
	}
	idx := s.ns.Key("open", l.Mode+"/"+l.ID)
	if err := s.ns.PutString(idx, l.Region, &edgekv.PutOptions{
		ExpirationTTL: int(cfg.LobbyIdle.Seconds()),
	}); err != nil {
		return nil, err
	}
	status := fmt.Sprintf(`{"last_lobby":%q,"mode":%q,"at":%d}`, l.ID, l.Mode, l.Updated)
	if err := s.ns.PutString("mm:status", status, nil); err != nil { // EXPECT kvhotkey
		return nil, err
	}
	return l, nil
}

type JoinReq struct {
	LobbyID  string `json:"lobby_id"`
	PlayerID string `json:"player_id"`
}

// Join adds a player to a lobby.
func (s *Service) Join(ctx context.Context, req JoinReq) (*Lobby, error) {
	key := s.ns.Key("lobby", req.LobbyID)
	raw, err := s.ns.GetString(key, nil)
	if err != nil {
		return nil, err
	}
	if edgekv.IsMissing(raw) {
		return nil, httpx.ErrNotFound
	}
	var l Lobby
	if err := json.Unmarshal([]byte(raw), &l); err != nil {
		return nil, err
	}
	if slices.Contains(l.Players, req.PlayerID) {
		return &l, nil
	}
	if l.Full() {
		return nil, ErrFull
	}
	l.Players = append(l.Players, req.PlayerID)
	l.Updated = time.Now().Unix()
	out, _ := json.Marshal(&l)
	cfg := config.Load()
	if err := s.ns.PutString(key, string(out), &edgekv.PutOptions{ExpirationTTL: int(cfg.LobbyIdle.Seconds())}); err != nil { // EXPECT kvrace
		return nil, err
	}
	return &l, nil
}

// Leave removes a player; the host leaving closes the lobby.
func (s *Service) Leave(ctx context.Context, req JoinReq) (httpx.Empty, error) {
	key := s.ns.Key("lobby", req.LobbyID)
	err := s.ns.Update(key, config.Load().LobbyIdle.Duration, func(cur []byte) ([]byte, error) {
		if cur == nil {
			return nil, httpx.ErrNotFound
		}
		var l Lobby
		if err := json.Unmarshal(cur, &l); err != nil {
			return nil, err
		}
		l.Players = slices.DeleteFunc(l.Players, func(p string) bool { return p == req.PlayerID })
		return json.Marshal(&l)
	})
	return httpx.Empty{}, err
}

// StartReq asks the host's lobby to begin.
type StartReq struct {
	LobbyID string `json:"lobby_id"`
	Mode    string `json:"mode"`
}

// Start publishes a start marker that clients poll during the countdown.
func (s *Service) Start(ctx context.Context, req StartReq) (map[string]int64, error) {
	at := time.Now().Unix() + countdown
	marker := strconv.FormatInt(at, 10)
	err := s.ns.PutString(s.ns.Key("starting", req.LobbyID), marker, &edgekv.PutOptions{
		Expiration: int(time.Now().Unix() + countdown), // EXPECT kvttl
	})
	if err != nil {
		return nil, err
	}
	if err := s.ns.Delete(s.ns.Key("open", req.Mode+"/"+req.LobbyID)); err != nil {
		return nil, err
	}
	return map[string]int64{"starts_at": at}, nil
}

type BrowseReq struct {
	Mode   string `json:"mode"`
	Cursor string `json:"cursor"`
}

type BrowseResp struct {
	Lobbies []BrowseItem `json:"lobbies"`
	Cursor  string       `json:"cursor,omitempty"`
	Done    bool         `json:"done"`
}

type BrowseItem struct {
	ID     string `json:"id"`
	Expiry int    `json:"expires_at"`
}

// Browse returns one page of open lobbies for a mode, with a cursor.
func (s *Service) Browse(ctx context.Context, req BrowseReq) (BrowseResp, error) {
	prefix := s.ns.Prefix("open") + req.Mode + "/"
	res, err := s.ns.List(&edgekv.ListOptions{
		Prefix: prefix,
		Cursor: req.Cursor,
		Limit:  config.Load().LobbyPageSize,
	})
	if err != nil {
		return BrowseResp{}, err
	}
	out := BrowseResp{Done: res.ListComplete}
	if !res.ListComplete {
		out.Cursor = res.Cursor
	}
	for _, k := range res.Keys {
		out.Lobbies = append(out.Lobbies, BrowseItem{ID: strings.TrimPrefix(k.Name, prefix), Expiry: k.Expiration})
	}
	return out, nil
}

type QuickReq struct {
	PlayerID string `json:"player_id"`
	Mode     string `json:"mode"`
	Region   string `json:"region"`
}

// QuickMatch puts the player in the first open lobby of the mode in their
// region, or opens a new one.
func (s *Service) QuickMatch(ctx context.Context, req QuickReq) (*Lobby, error) {
	if !config.Load().Enabled("quick_match") {
		return nil, httpx.ErrNotFound
	}
	prefix := s.ns.Prefix("open") + req.Mode + "/"
	res, err := s.ns.List(&edgekv.ListOptions{ // DEBATABLE kvlist
		Prefix: prefix,
		Limit:  5000, // EXPECT kvlimits
	})
	if err != nil {
		return nil, err
	}
	for _, k := range res.Keys {
		id := strings.TrimPrefix(k.Name, prefix)
		raw, err := s.ns.GetString(s.ns.Key("lobby", id), nil) // EXPECT kvlist
		if err != nil || edgekv.IsMissing(raw) {
			continue
		}
		var l Lobby
		if json.Unmarshal([]byte(raw), &l) != nil || l.Region != req.Region || l.Full() {
			continue
		}
		if err := s.hold(req.PlayerID, l.ID); err != nil {
			return nil, err
		}
		return s.Join(ctx, JoinReq{LobbyID: l.ID, PlayerID: req.PlayerID})
	}
	return s.Create(ctx, CreateReq{Host: req.PlayerID, Mode: req.Mode, Region: req.Region, Max: 8})
}

// ticket reserves a seat while the client connects.
type ticket struct {
	PlayerID string `json:"player_id"`
	LobbyID  string `json:"lobby_id"`
	Issued   int64  `json:"issued"`
}

func (s *Service) hold(playerID, lobbyID string) error {
	t := ticket{PlayerID: playerID, LobbyID: lobbyID, Issued: time.Now().Unix()}
	return s.ns.PutJSON(s.ns.Key("ticket", playerID), t, ticketHold) // EXPECT kvttl
}

// Ticket returns the player's pending ticket, if any.
func (s *Service) Ticket(ctx context.Context, playerID string) (*ticket, error) {
	var t ticket
	if err := s.ns.GetJSON(s.ns.Key("ticket", playerID), &t); err != nil {
		if errors.Is(err, edgekv.ErrNotFound) {
			return nil, nil
		}
		return nil, err
	}
	return &t, nil
}

// CachePreview stores the rendered lobby card shown in invites. Cards are
// rebuilt from the lobby record on a miss.
func (s *Service) CachePreview(lobbyID, html string) error {
	return s.ns.PutCached(s.ns.Key("card", lobbyID), html, 20*time.Second)
}
