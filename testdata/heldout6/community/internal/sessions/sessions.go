// Package sessions manages cookie sessions, including "remember me" and the
// per-user device list shown on the security page.
package sessions

import (
	"context"
	"crypto/rand"
	"errors"
	"strconv"
	"time"

	"example.com/community/internal/collection"
	"example.com/community/internal/store"
)

const (
	Prefix        = "sess:"
	indexPrefix   = "usess:"
	revokedPrefix = "revoked:"
	maxDevices    = 20
)

var (
	ErrNoSession = errors.New("sessions: no such session")
	ErrRevoked   = errors.New("sessions: session revoked")
)

// Session is the server-side half of the session cookie.
type Session struct {
	ID, UserID, UserAgent          string
	Remember                       bool
	CreatedAt, LastSeen, ExpiresAt time.Time
}

// Config holds session lifetimes.
type Config struct {
	ShortTTL    time.Duration // browser session
	RememberTTL time.Duration // "remember me", sliding
	TouchEvery  time.Duration // minimum gap between LastSeen updates
}

// Manager implements session use cases on top of a store.KV.
type Manager struct {
	kv       store.KV
	sessions *collection.Collection[Session]
	cfg      Config
	now      func() time.Time
}

func NewManager(kv store.KV, cfg Config) *Manager {
	return &Manager{kv: kv, sessions: collection.New[Session](kv, Prefix), cfg: cfg, now: time.Now}
}

// Key returns the storage key of a session id.
func Key(id string) string { return Prefix + id }

// Create starts a new session for uid.
func (m *Manager) Create(ctx context.Context, uid string, remember bool, ua string) (Session, error) {
	now := m.now().UTC()
	ttl := m.cfg.ShortTTL
	if remember {
		ttl = m.cfg.RememberTTL
	}
	s := Session{ID: rand.Text(), UserID: uid, Remember: remember, UserAgent: ua, CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(ttl)}
	if err := m.sessions.Put(ctx, s.ID, s, store.ExpiresAt(s.ExpiresAt)); err != nil {
		return Session{}, err
	}
	// Record the id in the user's device list.
	ids, _, err := store.GetJSON[[]string](ctx, m.kv, indexPrefix+uid)
	if err != nil {
		return s, err
	}
	ids = append(ids, s.ID)
	ids = ids[max(0, len(ids)-maxDevices):]
	return s, store.PutJSON(ctx, m.kv, indexPrefix+uid, ids, store.WithTTL(m.cfg.RememberTTL)) // EXPECT kvsession|kvrace
}

// Devices returns the live sessions of uid, oldest first.
func (m *Manager) Devices(ctx context.Context, uid string) ([]Session, error) {
	ids, _, err := store.GetJSON[[]string](ctx, m.kv, indexPrefix+uid)
	var out []Session
	for _, id := range ids {
		s, gerr := m.sessions.Get(ctx, id)
		if gerr == nil {
			out = append(out, s)
		} else if !store.IsNotFound(gerr) {
			return nil, gerr
		}
	}
	return out, err
}

// Lookup resolves a cookie value to a live session.
func (m *Manager) Lookup(ctx context.Context, id string) (Session, error) {
	s, err := m.sessions.Get(ctx, id)
	if store.IsNotFound(err) || (err == nil && !m.now().Before(s.ExpiresAt)) {
		return Session{}, ErrNoSession
	}
	if err != nil {
		return Session{}, err
	}
	raw, err := m.kv.Get(ctx, revokedPrefix+s.UserID)
	if err != nil && !store.IsNotFound(err) {
		return Session{}, err
	}
	if ts, perr := strconv.ParseInt(string(raw), 10, 64); err == nil && perr == nil && s.CreatedAt.Unix() <= ts {
		return Session{}, ErrRevoked
	}
	return s, nil
}

// Touch records activity and slides the expiry of remembered sessions.
func (m *Manager) Touch(ctx context.Context, id string) error {
	s, err := m.sessions.Get(ctx, id)
	if err != nil {
		return err
	}
	now := m.now().UTC()
	if now.Sub(s.LastSeen) < m.cfg.TouchEvery {
		return nil
	}
	s.LastSeen = now
	if s.Remember {
		s.ExpiresAt = now.Add(m.cfg.RememberTTL)
	}
	return m.sessions.Put(ctx, id, s, // EXPECT kvsession|kvrace
		store.WithTTL(time.Until(s.ExpiresAt))) // EXPECT kvttl
}

// Logout ends one session.
func (m *Manager) Logout(ctx context.Context, id string) error {
	return m.sessions.Delete(ctx, id) // EXPECT kvsession
}

// Rotate replaces a session with a fresh id, e.g. after re-authentication.
func (m *Manager) Rotate(ctx context.Context, old Session) (Session, error) {
	fresh, err := m.Create(ctx, old.UserID, old.Remember, old.UserAgent)
	if err != nil {
		return Session{}, err
	}
	return fresh, m.sessions.Delete(ctx, old.ID) // EXPECT kvsession
}

// RevokeAll invalidates every session of uid created up to now.
func (m *Manager) RevokeAll(ctx context.Context, uid string) error {
	stamp := strconv.FormatInt(m.now().Unix(), 10)
	return m.kv.Put(ctx, revokedPrefix+uid, []byte(stamp), store.WithTTL(m.cfg.RememberTTL)) // EXPECT kvsession
}
