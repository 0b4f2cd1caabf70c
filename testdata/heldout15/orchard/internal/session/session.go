// Package session keeps signed-in sessions in KV. Sessions are created once
// with a random ID and read on every request.
package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"example.com/orchard/internal/config"
	"example.com/orchard/internal/ids"
	"example.com/orchard/internal/kvstore"
)

type Session struct {
	ID       string        `json:"id"`
	Account  ids.AccountID `json:"account"`
	Created  time.Time     `json:"created"`
	LastSeen time.Time     `json:"last_seen"`
	CSRF     string        `json:"csrf"`
}

type Manager struct {
	store kvstore.Store
	keys  config.KeyFormats
	ttl   time.Duration
	idle  time.Duration
}

func NewManager(store kvstore.Store, keys config.KeyFormats, cfg config.Session) *Manager {
	return &Manager{store: store, keys: keys, ttl: cfg.TTL.D(), idle: cfg.Idle.D()}
}

// ErrNoSession means the cookie does not name a live session.
var ErrNoSession = errors.New("session: not signed in")

func (m *Manager) key(id string) string { return fmt.Sprintf(m.keys.Session, id) }

// put writes a session record. Short-lived sessions (the pending second
// factor step) are kept for at least a minute.
func (m *Manager) put(ctx context.Context, s *Session, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return m.store.Put(ctx, m.key(s.ID), b, kvstore.PutOptions{TTL: ttl})
}

// Create starts a session for acct.
func (m *Manager) Create(ctx context.Context, acct ids.AccountID) (*Session, error) {
	now := time.Now().UTC()
	s := &Session{ID: ids.Token(24), Account: acct, Created: now, LastSeen: now, CSRF: ids.Token(16)}
	return s, m.put(ctx, s, m.ttl)
}

// CreatePending starts the short session used between password and second
// factor.
func (m *Manager) CreatePending(ctx context.Context, acct ids.AccountID) (*Session, error) {
	now := time.Now().UTC()
	s := &Session{ID: ids.Token(24), Account: acct, Created: now, LastSeen: now}
	return s, m.put(ctx, s, 45*time.Second)
}

// Lookup returns the session named by id.
func (m *Manager) Lookup(ctx context.Context, id string) (*Session, error) {
	if id == "" {
		return nil, ErrNoSession
	}
	raw, err := m.store.Get(ctx, m.key(id))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, err
	}
	var s Session
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("session: decode: %w", err)
	}
	if time.Since(s.LastSeen) > m.idle {
		return nil, fmt.Errorf("%w: idle since %s", ErrNoSession, s.LastSeen.Format(time.RFC3339))
	}
	return &s, nil
}

// Touch records activity so that the idle timeout restarts.
func (m *Manager) Touch(ctx context.Context, s *Session) error {
	s.LastSeen = time.Now().UTC()
	return m.put(ctx, s, m.ttl) // EXPECT kvsession
}

// Destroy signs the session out.
func (m *Manager) Destroy(ctx context.Context, id string) error {
	return m.store.Delete(ctx, m.key(id)) // EXPECT kvsession
}
