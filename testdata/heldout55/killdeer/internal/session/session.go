//go:build js && wasm

// Package session stores player sessions and magic-link sign-in codes at the
// edge.
package session

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"strings"
	"time"

	"github.com/killdeer-games/killdeer/internal/config"
	"github.com/killdeer-games/killdeer/internal/edgekv"
)

// Session is one signed-in game client.
type Session struct {
	ID       string    `json:"id"`
	PlayerID string    `json:"player_id"`
	Region   string    `json:"region"`
	LobbyID  string    `json:"lobby_id,omitempty"`
	Created  time.Time `json:"created"`
	Expires  time.Time `json:"expires"`
}

// ErrExpired is returned for unknown or expired session ids.
var ErrExpired = errors.New("session: expired")

// Store keeps sessions in one namespace.
type Store struct {
	ns *edgekv.Namespace
}

// NewStore returns a Store over ns.
func NewStore(ns *edgekv.Namespace) *Store { return &Store{ns: ns} }

func newID() string {
	var b [20]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// key places sessions under the player so all of a player's sessions share a
// prefix.
func (s *Store) key(playerID, id string) string {
	return s.ns.Key("sess", playerID+"."+id)
}

// Token is what the client sends back: player id and session id.
func (sess *Session) Token() string { return sess.PlayerID + "." + sess.ID }

func splitToken(tok string) (player, id string, ok bool) {
	return strings.Cut(tok, ".")
}

// Create starts a new session for playerID.
func (s *Store) Create(ctx context.Context, playerID, region string) (*Session, error) {
	cfg := config.Load()
	now := time.Now().UTC()
	sess := &Session{
		ID:       newID(),
		PlayerID: playerID,
		Region:   region,
		Created:  now,
		Expires:  now.Add(cfg.SessionTTL.Duration()),
	}
	if err := s.ns.PutJSON(s.key(playerID, sess.ID), sess, cfg.SessionTTL.Duration()); err != nil {
		return nil, err
	}
	return sess, nil
}

// Lookup resolves a client token.
func (s *Store) Lookup(ctx context.Context, token string) (*Session, error) {
	player, id, ok := splitToken(token)
	if !ok {
		return nil, ErrExpired
	}
	var sess Session
	if err := s.ns.GetJSON(s.key(player, id), &sess); err != nil {
		if errors.Is(err, edgekv.ErrNotFound) {
			return nil, ErrExpired
		}
		return nil, err
	}
	return &sess, nil
}

// Touch extends a session's lifetime when sliding expiry is enabled.
func (s *Store) Touch(ctx context.Context, sess *Session) error {
	cfg := config.Load()
	if !cfg.SessionSliding {
		return nil
	}
	ttl := cfg.SessionTTL.Duration()
	sess.Expires = time.Now().UTC().Add(ttl)
	return s.ns.PutJSON(s.key(sess.PlayerID, sess.ID), sess, ttl) // EXPECT kvsession|kvrace
}

// AttachLobby records which lobby the session's client is in.
func (s *Store) AttachLobby(ctx context.Context, token, lobbyID string) error {
	sess, err := s.Lookup(ctx, token)
	if err != nil {
		return err
	}
	sess.LobbyID = lobbyID
	return s.ns.PutJSON(s.key(sess.PlayerID, sess.ID), sess, max(time.Until(sess.Expires), time.Minute)) // EXPECT kvsession|kvrace
}

// Revoke ends one session (sign-out).
func (s *Store) Revoke(ctx context.Context, token string) error {
	player, id, ok := splitToken(token)
	if !ok {
		return nil
	}
	return s.ns.Delete(s.key(player, id)) // EXPECT kvsession
}

// RevokeAll signs a player out everywhere, e.g. after a password change.
func (s *Store) RevokeAll(ctx context.Context, playerID string) (int, error) {
	res, err := s.ns.List(&edgekv.ListOptions{Prefix: s.ns.Prefix("sess") + playerID + "."}) // EXPECT kvlist
	if err != nil {
		return 0, err
	}
	var errs []error
	for _, k := range res.Keys {
		if err := s.ns.Delete(k.Name); err != nil { // EXPECT kvsession
			errs = append(errs, err)
		}
	}
	return len(res.Keys) - len(errs), errors.Join(errs...)
}

// magic is a pending e-mail sign-in.
type magic struct {
	PlayerID string `json:"player_id"`
	Email    string `json:"email"`
}

// IssueMagicLink stores a fresh sign-in code and returns it.
func (s *Store) IssueMagicLink(ctx context.Context, playerID, email string) (string, error) {
	cfg := config.Load()
	code := newID()[:16]
	val, err := edgekv.Codec().Encode(magic{PlayerID: playerID, Email: email})
	if err != nil {
		return "", err
	}
	err = s.ns.PutString(s.ns.Key("magic", code), val, &edgekv.PutOptions{
		ExpirationTTL: int(cfg.MagicLinkTTL),
	})
	return code, err
}

// RedeemMagicLink consumes a sign-in code and opens a session.
func (s *Store) RedeemMagicLink(ctx context.Context, code, region string) (*Session, error) {
	key := s.ns.Key("magic", code)
	var m magic
	if err := s.ns.GetJSON(key, &m); err != nil {
		if errors.Is(err, edgekv.ErrNotFound) {
			return nil, ErrExpired
		}
		return nil, err
	}
	if err := s.ns.Delete(key); err != nil { // EXPECT kvsession
		return nil, err
	}
	return s.Create(ctx, m.PlayerID, region)
}
