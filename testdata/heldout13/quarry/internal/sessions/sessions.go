// Package sessions keeps dashboard login sessions.
package sessions

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"example.com/quarry/internal/codec"
	"example.com/quarry/internal/kvstore"
	"example.com/quarry/internal/policy"
)

// CookieName is the dashboard session cookie.
const CookieName = "quarry_session"

// ErrNoSession is returned when the request carries no valid session.
var ErrNoSession = errors.New("sessions: no session")

// Session is the stored session record.
type Session struct {
	ID        string    `json:"id"`
	UserID    string    `json:"user_id"`
	Login     string    `json:"login"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	LastSeen  time.Time `json:"last_seen"`
}

// Preferences is per-user dashboard state.
type Preferences struct {
	Theme          string   `json:"theme"`
	PinnedProjects []string `json:"pinned_projects"`
	Timezone       string   `json:"tz"`
}

// Manager creates, looks up and ends sessions.
type Manager struct {
	st  kvstore.Store
	ttl time.Duration
	log *slog.Logger
}

// NewManager returns a Manager whose sessions last ttl.
func NewManager(st kvstore.Store, ttl time.Duration, log *slog.Logger) *Manager {
	return &Manager{st: st, ttl: ttl, log: log}
}

func key(id string) string { return policy.Key("sessions", id) }

func newID() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// Create starts a session for a user with the configured lifetime.
func (m *Manager) Create(ctx context.Context, userID, login string) (*Session, error) {
	now := time.Now().UTC()
	s := &Session{ID: newID(), UserID: userID, Login: login, CreatedAt: now, ExpiresAt: now.Add(m.ttl), LastSeen: now}
	if err := codec.Save(ctx, m.st, key(s.ID), s, kvstore.PutOptions{TTL: m.ttl}); err != nil {
		return nil, err
	}
	return s, nil
}

// CreateUntil starts a session that ends when the identity provider's grant
// does, so access is never longer than the upstream token allows.
func (m *Manager) CreateUntil(ctx context.Context, userID, login string, upstreamExpiry time.Time) (*Session, error) {
	now := time.Now().UTC()
	s := &Session{ID: newID(), UserID: userID, Login: login, CreatedAt: now, ExpiresAt: upstreamExpiry, LastSeen: now}
	ttl := time.Until(upstreamExpiry) // EXPECT kvttl
	if err := codec.Save(ctx, m.st, key(s.ID), s, kvstore.PutOptions{TTL: ttl}); err != nil {
		return nil, err
	}
	return s, nil
}

// Lookup returns the session with the given ID.
func (m *Manager) Lookup(ctx context.Context, id string) (*Session, error) {
	if id == "" {
		return nil, ErrNoSession
	}
	s, ok, err := codec.Load[Session](ctx, m.st, key(id))
	if err != nil {
		return nil, err
	}
	if !ok || time.Now().After(s.ExpiresAt) {
		return nil, ErrNoSession
	}
	return &s, nil
}

// FromRequest resolves the session cookie of r.
func (m *Manager) FromRequest(r *http.Request) (*Session, error) {
	c, err := r.Cookie(CookieName)
	if err != nil {
		return nil, ErrNoSession
	}
	return m.Lookup(r.Context(), c.Value)
}

// Touch extends an active session so users are not logged out while working.
func (m *Manager) Touch(ctx context.Context, s *Session) error {
	now := time.Now().UTC()
	if now.Sub(s.LastSeen) < time.Minute {
		return nil
	}
	s.LastSeen = now
	s.ExpiresAt = now.Add(m.ttl)
	return codec.Save(ctx, m.st, key(s.ID), s, kvstore.PutOptions{TTL: m.ttl}) // EXPECT kvsession
}

// Logout ends the session.
func (m *Manager) Logout(ctx context.Context, id string) error {
	if err := m.st.Delete(ctx, key(id)); err != nil { // EXPECT kvsession
		return err
	}
	m.log.InfoContext(ctx, "session ended", "session", id[:min(6, len(id))])
	return nil
}

// SavePreferences replaces the user's dashboard preferences.
func (m *Manager) SavePreferences(ctx context.Context, userID string, p Preferences) error {
	return codec.Save(ctx, m.st, "prefs:"+userID, p, kvstore.PutOptions{})
}
