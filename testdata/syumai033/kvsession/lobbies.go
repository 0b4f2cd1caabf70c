package kvsession

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

type lobbySession struct {
	ID       string    `json:"id"`
	PlayerID string    `json:"player_id"`
	LobbyID  string    `json:"lobby_id"`
	Expires  time.Time `json:"expires"`
}

var errNoLobbySession = errors.New("no session")

type lobbySessions struct{ ns *kv.Namespace }

func (s *lobbySessions) key(player, id string) string { return "sess:" + player + "." + id }

// lookup resolves a client token, "player.id".
func (s *lobbySessions) lookup(token string) (*lobbySession, error) {
	player, id, ok := strings.Cut(token, ".")
	if !ok {
		return nil, errNoLobbySession
	}
	raw, err := s.ns.GetString(s.key(player, id), nil)
	if err != nil || raw == "<null>" {
		return nil, errNoLobbySession
	}
	var sess lobbySession
	if err := json.Unmarshal([]byte(raw), &sess); err != nil {
		return nil, err
	}
	return &sess, nil
}

// The session read through the token, changed and saved under the key of
// its own fields: the same record.
func (s *lobbySessions) attach(token, lobby string) error { // want attach:"^kvsession$" attach:"kvsession judged inside"
	sess, err := s.lookup(token)
	if err != nil {
		return err
	}
	sess.LobbyID = lobby
	b, _ := json.Marshal(sess)
	return s.ns.PutString(s.key(sess.PlayerID, sess.ID), string(b), nil) // want `A session read, changed and written back in KV`
}

// appendEntry adds an entry to the JSON list under key.
func appendEntry(ns *kv.Namespace, key string, entry any) error {
	var list []json.RawMessage
	raw, err := ns.GetString(key, nil)
	if err != nil {
		return err
	}
	if raw != "<null>" {
		if err := json.Unmarshal([]byte(raw), &list); err != nil {
			return err
		}
	}
	b, _ := json.Marshal(entry)
	out, _ := json.Marshal(append(list, b))
	return ns.PutString(key, string(out), nil)
}

// The list's own race is the helper's; the delay of the revocation is
// the caller's.
func revokeAPIKey(ns *kv.Namespace, hash string) error { // want revokeAPIKey:"^kvsession$" revokeAPIKey:"kvsession judged inside"
	return appendEntry(ns, "revoked:apikeys", map[string]any{"hash": hash, "at": time.Now().Unix()}) // want `revocation kept in KV`
}

// Quiet: a resend cooldown stamped beside the code is no code, though
// the stamp read is overwritten once it is old enough.
func stampCodeCooldown(ns *kv.Namespace, phone string) error {
	last, err := ns.GetString("otp-cooldown:"+phone, nil)
	if err != nil {
		return err
	}
	if last != "<null>" {
		if t, err := time.Parse(time.RFC3339, last); err == nil && time.Since(t) < 2*time.Minute {
			return errNoLobbySession
		}
	}
	return ns.PutString("otp-cooldown:"+phone, time.Now().UTC().Format(time.RFC3339), &kv.PutOptions{ExpirationTTL: 120})
}

func newLobbySessionID() string { return strconv.FormatInt(rand.Int64(), 36) }

// open starts a session under an id it draws.
func (s *lobbySessions) open(player, lobby string) (*lobbySession, error) {
	sess := &lobbySession{ID: newLobbySessionID(), PlayerID: player, LobbyID: lobby}
	b, _ := json.Marshal(sess)
	return sess, s.ns.PutString(s.key(sess.PlayerID, sess.ID), string(b), nil)
}

// Quiet: a new session, copied from the old one, under the id open draws.
func (s *lobbySessions) reopen(token string) (*lobbySession, error) { // want reopen:"kvsession judged inside"
	old, err := s.lookup(token)
	if err != nil {
		return nil, err
	}
	return s.open(old.PlayerID, old.LobbyID)
}
