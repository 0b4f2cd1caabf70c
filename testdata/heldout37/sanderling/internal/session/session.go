// Package session keeps dashboard sessions in the auth namespace.
package session

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"time"

	"sanderling/internal/config"
	"sanderling/internal/kvstore"
)

// ErrNoSession means the request carries no live session.
var ErrNoSession = errors.New("session: none")

// CookieName is the session cookie.
const CookieName = "__Host-sid"

// Session is a signed-in dashboard user.
type Session struct {
	ID        string    `json:"id"`
	UserID    string    `json:"uid"`
	CSRF      string    `json:"csrf"`
	CreatedAt time.Time `json:"created"`
	SeenAt    time.Time `json:"seen"`
	ExpiresAt time.Time `json:"exp"`
}

// Manager creates, loads and ends sessions.
type Manager struct {
	ns    kvstore.Namespace // auth namespace, prefixed "sess:"
	store *kvstore.Typed[Session]
	now   func() time.Time
}

// NewManager returns a Manager over ns.
func NewManager(ns kvstore.Namespace) *Manager {
	return &Manager{ns: ns, store: kvstore.NewTyped[Session](ns, kvstore.JSON[Session]{}), now: time.Now}
}

func idKey(id string) kvstore.Key { return kvstore.Key("id").Child(id) }

func userPrefix(uid string) kvstore.Key { return kvstore.Key("user").Escaped(uid) + ":" }

func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Create starts a session for userID.
func (m *Manager) Create(ctx context.Context, userID string) (Session, error) {
	now := m.now()
	s := Session{
		ID: randomID(32), UserID: userID, CSRF: randomID(16),
		CreatedAt: now, SeenAt: now, ExpiresAt: now.Add(config.SessionTTL),
	}
	if err := m.store.Save(ctx, idKey(s.ID), s, kvstore.PutOptions{TTL: config.TTLs["session"]}); err != nil {
		return Session{}, err
	}
	// The per-user index lets RevokeAll find the sessions; it expires with them.
	idx := userPrefix(userID) + kvstore.Key(s.ID)
	return s, m.ns.Put(ctx, idx, []byte("1"), kvstore.PutOptions{TTL: config.SessionTTL, Metadata: map[string]int64{"c": now.Unix()}})
}

// FromRequest loads the session named by the request's cookie.
func (m *Manager) FromRequest(r *http.Request) (Session, error) {
	c, err := r.Cookie(CookieName)
	if err != nil {
		return Session{}, ErrNoSession
	}
	s, err := m.store.Load(r.Context(), idKey(c.Value))
	if kvstore.IsNotFound(err) {
		return Session{}, ErrNoSession
	}
	if err != nil {
		return Session{}, err
	}
	if !m.now().Before(s.ExpiresAt) {
		return Session{}, ErrNoSession
	}
	return s, nil
}

// Touch extends s once less than a quarter of its lifetime is left.
func (m *Manager) Touch(ctx context.Context, s *Session) error {
	now := m.now()
	if s.ExpiresAt.Sub(now) > config.SessionTTL/4 {
		return nil
	}
	s.ExpiresAt = now.Add(config.SessionTTL)
	return m.store.Save(ctx, idKey(s.ID), *s, kvstore.PutOptions{TTL: s.ExpiresAt.Sub(now)}) // EXPECT kvsession
}

// MarkSeen records the time of the latest request for the "active sessions" page.
func (m *Manager) MarkSeen(ctx context.Context, s *Session) error {
	s.SeenAt = m.now()
	return m.store.Save(ctx, idKey(s.ID), *s, kvstore.PutOptions{ // EXPECT kvsession
		TTL: time.Until(s.ExpiresAt), // EXPECT kvttl
	})
}

// Destroy ends s (logout).
func (m *Manager) Destroy(ctx context.Context, s Session) error {
	return m.store.Remove(ctx, idKey(s.ID)) // EXPECT kvsession
}

// RevokeAll ends every session of userID except keep, after a password change.
func (m *Manager) RevokeAll(ctx context.Context, userID, keep string) (int, error) {
	page, err := m.ns.List(ctx, kvstore.ListOptions{Prefix: userPrefix(userID)}) // EXPECT kvlist
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range page.Entries {
		id := e.Key.Last()
		if id == keep {
			continue
		}
		if err := m.store.Remove(ctx, idKey(id)); err != nil { // EXPECT kvsession
			return n, err
		}
		n++
	}
	return n, nil
}
