// Package session manages login sessions, magic-link sign in and the OAuth
// state handshake.
package session

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"time"

	"example.com/arcade/internal/config"
	"example.com/arcade/internal/keys"
	"example.com/arcade/internal/obs"
	"example.com/arcade/internal/store"
)

var (
	ErrNoSession   = errors.New("session: not found")
	ErrLinkInvalid = errors.New("session: magic link invalid or used")
	ErrBadState    = errors.New("session: oauth state mismatch")
)

type Session struct {
	ID        string    `json:"id"`
	PlayerID  string    `json:"playerId"`
	LobbyID   string    `json:"lobbyId,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
	ExpiresAt time.Time `json:"expiresAt"`
}

type Manager struct {
	store store.Store
	cfg   config.SessionConfig
	rand  io.Reader
	now   func() time.Time
	oauth oauthDeps
}

// oauthDeps is split out so the OAuth flow can be tested against a recorder.
type oauthDeps struct {
	SaveState   store.PutFunc
	LoadState   func(ctx context.Context, key string) ([]byte, error)
	DeleteState func(ctx context.Context, key string) error
}

func NewManager(s store.Store, cfg config.SessionConfig) *Manager {
	return &Manager{
		store: s,
		cfg:   cfg,
		rand:  rand.Reader,
		now:   time.Now,
		oauth: oauthDeps{SaveState: s.Put, LoadState: s.Get, DeleteState: s.Delete},
	}
}

func (m *Manager) token(n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(m.rand, b); err != nil {
		return "", fmt.Errorf("session: entropy: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Create starts a session for player.
func (m *Manager) Create(ctx context.Context, playerID string) (Session, error) {
	id, err := m.token(32)
	if err != nil {
		return Session{}, err
	}
	now := m.now().UTC()
	s := Session{ID: id, PlayerID: playerID, CreatedAt: now, ExpiresAt: now.Add(m.cfg.TTL)}
	if err := store.PutJSON(ctx, m.store, keys.Session+id, s, store.WithTTL(m.cfg.TTL)); err != nil {
		return Session{}, err
	}
	return s, nil
}

func (m *Manager) Lookup(ctx context.Context, id string) (Session, error) {
	s, found, err := store.GetJSON[Session](ctx, m.store, keys.Session+id)
	if err != nil {
		return Session{}, err
	}
	if !found || m.now().After(s.ExpiresAt) {
		return Session{}, ErrNoSession
	}
	return s, nil
}

// Logout ends the session.
func (m *Manager) Logout(ctx context.Context, id string) error {
	return m.store.Delete(ctx, keys.Session+id) // EXPECT kvsession
}

// AttachLobby remembers which lobby the player is in so a reconnecting
// client lands back there.
func (m *Manager) AttachLobby(ctx context.Context, id, lobbyID string) error {
	s, err := m.Lookup(ctx, id)
	if err != nil {
		return err
	}
	s.LobbyID = lobbyID
	return store.PutJSON(ctx, m.store, keys.Session+id, s, store.WithTTL(m.cfg.TTL)) // EXPECT kvsession
}

// RevokeAccessToken blocks a JWT access token until it would have expired anyway.
func (m *Manager) RevokeAccessToken(ctx context.Context, jti string) error {
	return obs.Timed("revoke", func() error {
		return m.store.Put(ctx, keys.Revoked+jti, []byte("1"), store.WithTTL(m.cfg.AccessTTL)) // EXPECT kvsession
	})
}

// IsRevoked reports whether jti was revoked.
func (m *Manager) IsRevoked(ctx context.Context, jti string) (bool, error) {
	_, found, err := store.Lookup(ctx, m.store, keys.Revoked+jti)
	return found, err
}
