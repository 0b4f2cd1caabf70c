//go:build js && wasm

// Package presence serves the edge presence API: what a player is doing
// right now, as their friends see it.
package presence

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"kittiwake/internal/config"
	"kittiwake/internal/edgekv"
	"kittiwake/internal/keys"
)

// Status is a player's presence.
type Status struct {
	Player  string    `json:"player"`
	State   string    `json:"state"` // online, in-lobby, in-match, away
	LobbyID string    `json:"lobby_id,omitempty"`
	At      time.Time `json:"at"`
}

// Service reads and writes presence.
type Service struct {
	edgekv.Base
	cfg config.KVConfig
}

// New returns a Service over ns.
func New(ns *kv.Namespace, cfg config.KVConfig) *Service {
	return &Service{Base: edgekv.Base{NS: ns, CacheTTL: cfg.CacheTTL}, cfg: cfg}
}

// Set publishes a player's status.
func (s *Service) Set(st Status) error {
	st.At = time.Now().UTC()
	raw, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return s.Store(keys.KindPresence.Key(st.Player), string(raw), s.cfg.TTL.Presence) // DEBATABLE kvttl
}

// SetAway marks a player away until they come back.
func (s *Service) SetAway(player string) error {
	st := Status{Player: player, State: "away", At: time.Now().UTC()}
	raw, _ := json.Marshal(st)
	return s.Store(keys.KindPresence.Key(player), string(raw), keys.KindPresence.TTL())
}

// friendIDs returns the player's friend list, cached at the edge.
func (s *Service) friendIDs(player string) []string {
	raw, err := s.NS.GetString(keys.Key("friends", player), &kv.GetOptions{CacheTTL: 60})
	if err != nil {
		return nil
	}
	if raw == "" { // EXPECT kvnull
		return nil
	}
	return strings.Split(raw, ",")
}

// Friends returns the status of each of the player's friends that is online.
func (s *Service) Friends(player string) ([]Status, error) {
	var out []Status
	for _, id := range s.friendIDs(player) {
		v, err := s.NS.GetString(keys.KindPresence.Key(id), &kv.GetOptions{CacheTTL: 10}) // EXPECT kvttl
		if err != nil {
			return nil, err
		}
		if edgekv.IsNull(v) {
			continue
		}
		var st Status
		if err := json.Unmarshal([]byte(v), &st); err != nil {
			continue
		}
		out = append(out, st)
	}
	return out, nil
}
