// Package authn handles author and reviewer sign-in: sessions, passwordless
// magic links, and invitations for programme-committee members.
package authn

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"example.com/lattice/internal/conf"
	"example.com/lattice/internal/platform/kvstore"
)

var (
	// ErrNoSession is returned for an unknown, expired or revoked session.
	ErrNoSession = errors.New("authn: no such session")
	// ErrLinkUsed is returned when a magic link is unknown or already redeemed.
	ErrLinkUsed = errors.New("authn: magic link invalid or already used")
)

// SessionID is an opaque, unguessable session identifier.
type SessionID string

// NewSessionID returns 256 bits of randomness, URL-safe.
func NewSessionID() SessionID {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return SessionID(base64.RawURLEncoding.EncodeToString(b[:]))
}

// Session is what a signed-in author carries.
type Session struct {
	ID        SessionID     `json:"id"`
	Author    conf.AuthorID `json:"author"`
	Email     conf.Email    `json:"email"`
	Roles     []string      `json:"roles"`
	CreatedAt time.Time     `json:"created_at"`
	ExpiresAt time.Time     `json:"expires_at"`
	LastSeen  time.Time     `json:"last_seen"`
}

// HasRole reports whether the session carries role.
func (s Session) HasRole(role string) bool { return slices.Contains(s.Roles, role) }

// Config is validated by NewManager.
type Config struct {
	SessionTTL time.Duration
	LinkTTL    time.Duration
	Clock      func() time.Time
}

// Manager issues and resolves sessions.
type Manager struct {
	store   kvstore.Store
	ttl     time.Duration
	linkTTL time.Duration
	now     func() time.Time
}

// NewManager validates cfg and returns a Manager.
func NewManager(store kvstore.Store, cfg Config) (*Manager, error) {
	switch {
	case cfg.SessionTTL < time.Hour:
		return nil, fmt.Errorf("authn: session TTL %v is shorter than an hour", cfg.SessionTTL)
	case cfg.LinkTTL < 5*time.Minute:
		return nil, fmt.Errorf("authn: link TTL %v is shorter than five minutes", cfg.LinkTTL)
	}
	now := cfg.Clock
	if now == nil {
		now = time.Now
	}
	return &Manager{store: store, ttl: cfg.SessionTTL, linkTTL: cfg.LinkTTL, now: now}, nil
}

func sessionKey(id SessionID) string { return "session:" + string(id) }

func revokedKey(a conf.AuthorID) string { return "revoked:" + string(a) }

// Create starts a session for an author.
func (m *Manager) Create(ctx context.Context, author conf.AuthorID, email conf.Email, roles ...string) (Session, error) {
	now := m.now()
	s := Session{
		ID:        NewSessionID(),
		Author:    author,
		Email:     email,
		Roles:     roles,
		CreatedAt: now,
		ExpiresAt: now.Add(m.ttl),
		LastSeen:  now,
	}
	raw, err := json.Marshal(s)
	if err != nil {
		return Session{}, err
	}
	if err := m.store.Put(ctx, sessionKey(s.ID), raw, kvstore.TTL(m.ttl)); err != nil {
		return Session{}, fmt.Errorf("store session: %w", err)
	}
	return s, nil
}

// Resume looks a session up by id.
func (m *Manager) Resume(ctx context.Context, id SessionID) (Session, error) {
	raw, err := m.store.Get(ctx, sessionKey(id))
	if kvstore.IsNotFound(err) {
		return Session{}, ErrNoSession
	}
	if err != nil {
		return Session{}, err
	}
	var s Session
	if err := json.Unmarshal(raw, &s); err != nil {
		return Session{}, err
	}
	if !m.now().Before(s.ExpiresAt) {
		return Session{}, ErrNoSession
	}
	return s, nil
}

// Touch slides the session's expiry forward; the middleware calls it on each
// authenticated request.
func (m *Manager) Touch(ctx context.Context, s Session) (Session, error) {
	now := m.now()
	s.LastSeen = now
	s.ExpiresAt = now.Add(m.ttl)
	raw, err := json.Marshal(s)
	if err != nil {
		return s, err
	}
	return s, m.store.Put(ctx, sessionKey(s.ID), raw, kvstore.TTL(m.ttl)) // EXPECT kvsession
}

// Logout ends a session.
func (m *Manager) Logout(ctx context.Context, id SessionID) error {
	return m.store.Delete(ctx, sessionKey(id)) // EXPECT kvsession
}

// RevokeAll records that every session an author had before now is invalid,
// e.g. after a password change or a compromised-account report.
func (m *Manager) RevokeAll(ctx context.Context, author conf.AuthorID, sessions []SessionID) error {
	var revoked []SessionID
	raw, err := m.store.Get(ctx, revokedKey(author))
	switch {
	case kvstore.IsNotFound(err):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(raw, &revoked); err != nil {
			return err
		}
	}
	for _, id := range sessions {
		if !slices.Contains(revoked, id) {
			revoked = append(revoked, id)
		}
	}
	body, err := json.Marshal(revoked)
	if err != nil {
		return err
	}
	return m.store.Put(ctx, revokedKey(author), body, kvstore.TTL(m.ttl)) // EXPECT kvsession
}
