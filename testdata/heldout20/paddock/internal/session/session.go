// Package session manages player login sessions. A session is created once at
// login with a random identifier and read on every authenticated request.
package session

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"time"

	"example.com/paddock/internal/apperr"
	"example.com/paddock/internal/codec"
	"example.com/paddock/internal/keys"
	"example.com/paddock/internal/store"
)

// Session is a logged-in player.
type Session struct {
	ID          string    `json:"id"`
	PlayerID    string    `json:"player_id"`
	Platform    string    `json:"platform"`
	CharacterID string    `json:"character_id,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	LastSeen    time.Time `json:"last_seen"`
	ExpiresAt   time.Time `json:"expires_at"`
}

// ErrNoSession is returned for unknown, expired or revoked sessions.
var ErrNoSession = fmt.Errorf("session: %w", apperr.ErrUnauthorized)

// Manager issues and resolves sessions.
type Manager struct {
	Store store.Store
	TTL   time.Duration
	// TouchEvery is how stale LastSeen may get before Touch rewrites it.
	TouchEvery time.Duration
	Clock      func() time.Time
}

func (m Manager) ttl() time.Duration { return cmp.Or(m.TTL, 24*time.Hour) }

func newID() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func (m Manager) write(ctx context.Context, s Session) error {
	b, err := codec.Seal(codec.KindSession, s)
	if err != nil {
		return err
	}
	exp := s.ExpiresAt
	if floor := m.Clock().Add(time.Minute); exp.Before(floor) {
		exp = floor
	}
	return m.Store.Put(ctx, keys.Session(s.ID), b, store.WriteOptions{ExpireAt: exp})
}

// Create issues a new session for player.
func (m Manager) Create(ctx context.Context, playerID, platform string) (Session, error) {
	id, err := newID()
	if err != nil {
		return Session{}, err
	}
	now := m.Clock().UTC()
	s := Session{
		ID:        id,
		PlayerID:  playerID,
		Platform:  platform,
		CreatedAt: now,
		LastSeen:  now,
		ExpiresAt: now.Add(m.ttl()),
	}
	b, err := codec.Seal(codec.KindSession, s)
	if err != nil {
		return Session{}, err
	}
	if err := m.Store.Put(ctx, keys.Session(id), b, store.WriteOptions{TTL: m.ttl()}); err != nil {
		return Session{}, err
	}
	return s, nil
}

// Lookup resolves a session ID.
func (m Manager) Lookup(ctx context.Context, id string) (Session, error) {
	if id == "" {
		return Session{}, ErrNoSession
	}
	b, err := m.Store.Get(ctx, keys.Session(id))
	if store.IsNotFound(err) {
		return Session{}, ErrNoSession
	}
	if err != nil {
		return Session{}, err
	}
	s, err := codec.Open[Session](codec.KindSession, b)
	if err != nil {
		return Session{}, err
	}
	if !m.Clock().Before(s.ExpiresAt) {
		return Session{}, ErrNoSession
	}
	return s, nil
}

// Touch records activity on a session, at most once per TouchEvery.
func (m Manager) Touch(ctx context.Context, s Session) (Session, error) {
	now := m.Clock().UTC()
	if now.Sub(s.LastSeen) < cmp.Or(m.TouchEvery, 15*time.Minute) {
		return s, nil
	}
	s.LastSeen = now
	return s, m.write(ctx, s) // DEBATABLE kvsession
}

// SelectCharacter switches the character a session plays as.
func (m Manager) SelectCharacter(ctx context.Context, id, characterID string) (Session, error) {
	s, err := m.Lookup(ctx, id)
	if err != nil {
		return Session{}, err
	}
	s.CharacterID = characterID
	if err := m.write(ctx, s); err != nil { // EXPECT kvsession
		return Session{}, err
	}
	return s, nil
}

// Logout ends a session.
func (m Manager) Logout(ctx context.Context, id string) error {
	return m.Store.Delete(ctx, keys.Session(id)) // EXPECT kvsession
}
