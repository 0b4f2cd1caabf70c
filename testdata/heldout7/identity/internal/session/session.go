// Package session manages browser sessions. Session records are read by the
// edge Worker on every request, keyed sess:<uid>:<id>.
package session

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"example.com/identity/internal/store"
)

// Session is the stored record.
type Session struct {
	ID       string    `json:"id"`
	UserID   string    `json:"sub"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
	AMR      []string  `json:"amr"`
	UA       string    `json:"ua,omitempty"`
}

// Option configures a Manager.
type Option func(*Manager)

// WithLifetime sets how long a session lives after sign-in.
func WithLifetime(d time.Duration) Option { return func(m *Manager) { m.lifetime = d } }

// WithIdleTimeout sets the sliding window refreshed by Touch.
func WithIdleTimeout(d time.Duration) Option { return func(m *Manager) { m.idle = d } }

// Manager creates, refreshes and revokes sessions.
type Manager struct {
	st       store.Store
	lifetime time.Duration
	idle     time.Duration
}

// NewManager returns a Manager with a 12h lifetime and 30m idle timeout
// unless overridden.
func NewManager(st store.Store, opts ...Option) *Manager {
	m := &Manager{st: st, lifetime: 12 * time.Hour, idle: 30 * time.Minute}
	for _, o := range opts {
		o(m)
	}
	return m
}

var ErrNoSession = errors.New("session: not found")

func key(uid, id string) string { return "sess:" + uid + ":" + id }

// Handle is what goes in the cookie.
func Handle(s *Session) string { return s.UserID + "." + s.ID }

func parseHandle(h string) (uid, id string, ok bool) {
	return strings.Cut(h, ".")
}

// Create starts a session after successful authentication.
func (m *Manager) Create(ctx context.Context, uid, ua string, amr []string) (*Session, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	s := &Session{ID: base64.RawURLEncoding.EncodeToString(b), UserID: uid, Created: now, LastSeen: now, AMR: amr, UA: ua}
	raw, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	if err := m.st.Put(ctx, key(uid, s.ID), raw, store.WithTTL(m.lifetime)); err != nil {
		return nil, err
	}
	return s, nil
}

// Load returns the session for a cookie handle.
func (m *Manager) Load(ctx context.Context, handle string) (*Session, error) {
	uid, id, ok := parseHandle(handle)
	if !ok {
		return nil, ErrNoSession
	}
	raw, err := m.st.Get(ctx, key(uid, id))
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, err
	}
	var s Session
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// Touch extends an active session by the idle timeout. The edge Worker also
// enforces Created+lifetime, so the record may outlive it briefly.
func (m *Manager) Touch(ctx context.Context, s *Session) error {
	now := time.Now().UTC()
	if now.Sub(s.LastSeen) < time.Minute {
		return nil
	}
	s.LastSeen = now
	raw, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return m.st.Put(ctx, key(s.UserID, s.ID), raw, store.WithTTL(m.idle)) // EXPECT kvsession
}

// Logout ends one session.
func (m *Manager) Logout(ctx context.Context, handle string) error {
	uid, id, ok := parseHandle(handle)
	if !ok {
		return nil
	}
	return m.st.Delete(ctx, key(uid, id)) // EXPECT kvsession
}

// RevokeAll ends every session of uid, e.g. after a password change.
func (m *Manager) RevokeAll(ctx context.Context, uid string) (int, error) {
	page, err := m.st.List(ctx, store.ListOptions{Prefix: "sess:" + uid + ":"}) // EXPECT kvlist
	if err != nil {
		return 0, err
	}
	n := 0
	for _, k := range page.Keys {
		if err := m.st.Delete(ctx, k.Name); err != nil { // EXPECT kvsession
			return n, err
		}
		n++
	}
	return n, nil
}
