// Package sessions manages customer sign-in sessions for the storefront.
package sessions

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"example.com/trellis/internal/clock"
	"example.com/trellis/internal/keys"
	"example.com/trellis/internal/kvstore"
)

// ErrNoSession is returned for unknown, expired or malformed tokens.
var ErrNoSession = errors.New("sessions: no such session")

// Session is one signed-in browser.
type Session struct {
	ID        string    `json:"id"`
	Tenant    string    `json:"tenant"`
	User      string    `json:"user"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Device is what the "your devices" page shows about a session.
type Device struct {
	IP      string `json:"ip"`
	Agent   string `json:"agent"`
	Created int64  `json:"created"`
}

// Manager creates and resolves sessions.
type Manager struct {
	st    kvstore.Store
	ttl   time.Duration
	clock clock.Clock
}

func NewManager(st kvstore.Store, ttl time.Duration, c clock.Clock) (*Manager, error) {
	if ttl < time.Hour {
		return nil, fmt.Errorf("sessions: lifetime %v is too short", ttl)
	}
	return &Manager{st: st, ttl: ttl, clock: c}, nil
}

// Token is the cookie value: the user and the session ID.
func Token(s Session) string { return s.User + "." + s.ID }

func (m *Manager) key(tenant, token string) (string, error) {
	user, id, ok := strings.Cut(token, ".")
	if !ok || user == "" || len(id) < 20 {
		return "", ErrNoSession
	}
	return keys.Session(keys.TenantID(tenant), user, id), nil
}

// Create starts a session for user.
func (m *Manager) Create(ctx context.Context, tenant, user, ip, agent string) (Session, error) {
	now := m.clock.Now()
	s := Session{ID: rand.Text(), Tenant: tenant, User: user, CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(m.ttl)}
	raw, err := json.Marshal(s)
	if err != nil {
		return Session{}, err
	}
	err = m.st.Put(ctx, keys.Session(keys.TenantID(tenant), user, s.ID), raw, kvstore.PutOptions{
		TTL:      m.ttl,
		Metadata: Device{IP: ip, Agent: agent[:min(len(agent), 160)], Created: now.Unix()},
	})
	return s, err
}

// Lookup resolves a token.
func (m *Manager) Lookup(ctx context.Context, tenant, token string) (Session, error) {
	key, err := m.key(tenant, token)
	if err != nil {
		return Session{}, err
	}
	raw, err := m.st.Get(ctx, key)
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
	if !m.clock.Now().Before(s.ExpiresAt) {
		return Session{}, ErrNoSession
	}
	return s, nil
}

// Touch extends a session's lifetime after activity.
func (m *Manager) Touch(ctx context.Context, tenant, token string) (Session, error) {
	s, err := m.Lookup(ctx, tenant, token)
	if err != nil {
		return Session{}, err
	}
	s.LastSeen = m.clock.Now()
	s.ExpiresAt = s.LastSeen.Add(m.ttl)
	raw, _ := json.Marshal(s)
	key := keys.Session(keys.TenantID(tenant), s.User, s.ID)
	return s, m.st.Put(ctx, key, raw, kvstore.PutOptions{TTL: m.ttl}) // EXPECT kvsession
}

// Logout ends the session named by token.
func (m *Manager) Logout(ctx context.Context, tenant, token string) error {
	key, err := m.key(tenant, token)
	if err != nil {
		return err
	}
	return m.st.Delete(ctx, key) // EXPECT kvsession
}

// Devices returns one page of the user's sessions and the cursor for the next page.
func (m *Manager) Devices(ctx context.Context, tenant, user, cursor string) ([]Device, string, error) {
	l, ok := kvstore.AsLister(m.st)
	if !ok {
		return nil, "", kvstore.ErrUnsupported
	}
	page, err := l.List(ctx, kvstore.ListOptions{
		Prefix: keys.SessionPrefix(keys.TenantID(tenant), user),
		Cursor: cursor,
		Limit:  2000, // EXPECT kvlimits
	})
	out := make([]Device, 0, len(page.Keys))
	for _, k := range page.Keys {
		var d Device
		if raw, err := json.Marshal(k.Metadata); err == nil {
			_ = json.Unmarshal(raw, &d)
		}
		out = append(out, d)
	}
	return out, page.Cursor, err
}
