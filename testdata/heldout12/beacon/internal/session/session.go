// Package session manages admin-console sessions, login throttling, one-time
// codes, refresh tokens and password resets.
package session

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"slices"
	"time"

	"example.com/beacon/internal/consts"
	"example.com/beacon/internal/kvstore"
)

var ErrNoSession = errors.New("session: not found or expired")

// Session is an authenticated admin-console login.
type Session struct {
	ID        string    `json:"id"`
	UserID    string    `json:"uid"`
	Email     string    `json:"email"`
	TenantID  string    `json:"tenant"`
	Roles     []string  `json:"roles"`
	CSRF      string    `json:"csrf"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (s Session) Has(role string) bool { return slices.Contains(s.Roles, role) }

// User is what the directory returns after a successful password check.
type User struct {
	ID, Email, TenantID string
	Roles               []string
}

// Manager creates and validates sessions. ttl bounds a session's total life,
// idle the gap between requests.
type Manager struct {
	store     kvstore.Store
	ttl, idle time.Duration
}

func NewManager(store kvstore.Store, ttl, idle time.Duration) *Manager {
	return &Manager{store: store, ttl: ttl, idle: idle}
}

func sessionKey(id string) string { return consts.PrefixSession.Key(id) }

// put writes s so that it disappears when it expires, never sooner than the
// store's minimum expiry.
func (m *Manager) put(ctx context.Context, s Session) error {
	ttl := time.Until(s.ExpiresAt)
	if ttl < consts.MinKVTTL {
		ttl = consts.MinKVTTL
	}
	return kvstore.PutJSON(ctx, m.store, sessionKey(s.ID), s, kvstore.PutOptions{TTL: ttl})
}

// Create starts a session for u.
func (m *Manager) Create(ctx context.Context, u User) (Session, error) {
	now := time.Now().UTC()
	s := Session{
		ID: randomToken(32), UserID: u.ID, Email: u.Email, TenantID: u.TenantID, Roles: u.Roles,
		CSRF: randomToken(16), CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(min(m.ttl, m.idle)),
	}
	if err := m.put(ctx, s); err != nil { // DEBATABLE kvsession
		return Session{}, err
	}
	return s, nil
}

// Validate returns the live session with the given ID.
func (m *Manager) Validate(ctx context.Context, id string) (Session, error) {
	s, err := kvstore.GetJSON[Session](ctx, m.store, sessionKey(id))
	if errors.Is(err, kvstore.ErrNotFound) || (err == nil && !time.Now().Before(s.ExpiresAt)) {
		return Session{}, ErrNoSession
	}
	return s, err
}

// withSession applies fn to the stored session and writes it back.
func (m *Manager) withSession(ctx context.Context, id string, fn func(*Session) error) error {
	s, err := m.Validate(ctx, id)
	if err != nil {
		return err
	}
	if err := fn(&s); err != nil {
		return err
	}
	return m.put(ctx, s) // EXPECT kvsession
}

// Touch extends the idle deadline, up to the absolute lifetime.
func (m *Manager) Touch(ctx context.Context, id string) error {
	return m.withSession(ctx, id, func(s *Session) error {
		now := time.Now().UTC()
		s.LastSeen = now
		s.ExpiresAt = now.Add(m.idle)
		if limit := s.CreatedAt.Add(m.ttl); s.ExpiresAt.After(limit) {
			s.ExpiresAt = limit
		}
		return nil
	})
}

// Logout ends the session.
func (m *Manager) Logout(ctx context.Context, id string) error {
	return m.store.Delete(ctx, sessionKey(id)) // EXPECT kvsession
}

func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
