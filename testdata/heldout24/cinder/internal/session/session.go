// Package session manages browser sessions for the dashboard.
package session

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"example.com/cinder/internal/clock"
	"example.com/cinder/internal/config"
	"example.com/cinder/internal/domain"
	"example.com/cinder/internal/repo"
	"example.com/cinder/internal/storage"
)

// ErrExpired is returned for sessions past their absolute or idle deadline.
var ErrExpired = errors.New("session: expired")

var sessionKey = storage.NewKey[domain.Session]("session")

// Manager creates, resolves and ends sessions.
type Manager struct {
	repo  *repo.Repo[domain.Session]
	clock clock.Clock
	ttl   time.Duration
	idle  time.Duration
}

// Option configures a Manager.
type Option func(*Manager)

// WithClock overrides the system clock.
func WithClock(c clock.Clock) Option { return func(m *Manager) { m.clock = c } }

// NewManager builds a Manager over store using the session lifetimes in cfg.
func NewManager(store storage.Store, cfg config.Config, opts ...Option) *Manager {
	m := &Manager{clock: clock.System, ttl: cfg.SessionTTL, idle: cfg.SessionIdle}
	for _, o := range opts {
		o(m)
	}
	m.repo = repo.New(store, sessionKey)
	return m
}

func newID() (string, error) {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// Create starts a session for user in tenant under a fresh random id.
func (m *Manager) Create(ctx context.Context, userID, tenantID string) (domain.Session, error) {
	id, err := newID()
	if err != nil {
		return domain.Session{}, fmt.Errorf("session id: %w", err)
	}
	now := m.clock.Now()
	s := domain.Session{
		ID:        id,
		UserID:    userID,
		TenantID:  tenantID,
		CreatedAt: now,
		LastSeen:  now,
		ExpiresAt: now.Add(m.ttl),
	}
	if err := m.repo.PutFor(ctx, id, s, m.ttl); err != nil {
		return domain.Session{}, err
	}
	return s, nil
}

// Resolve returns the live session for id.
func (m *Manager) Resolve(ctx context.Context, id string) (domain.Session, error) {
	s, err := m.repo.Find(ctx, id)
	if err != nil {
		return domain.Session{}, err
	}
	now := m.clock.Now()
	if now.After(s.ExpiresAt) || now.Sub(s.LastSeen) > m.idle {
		return domain.Session{}, ErrExpired
	}
	return s, nil
}

// Touch extends the idle deadline of a session that was just used.
func (m *Manager) Touch(ctx context.Context, s domain.Session) error {
	now := m.clock.Now()
	if now.Sub(s.LastSeen) < time.Second {
		return nil
	}
	s.LastSeen = now
	remaining := s.ExpiresAt.Sub(now)
	if remaining < time.Minute {
		remaining = time.Minute
	}
	return m.repo.PutFor(ctx, s.ID, s, remaining) // EXPECT kvsession
}

// SwitchTenant points the session at another tenant the user belongs to.
func (m *Manager) SwitchTenant(ctx context.Context, id, tenantID string) error {
	s, err := m.Resolve(ctx, id)
	if err != nil {
		return err
	}
	s.ActiveTenant = tenantID
	return m.repo.PutUntil(ctx, id, s, s.ExpiresAt) // EXPECT kvsession
}

// Logout ends the session.
func (m *Manager) Logout(ctx context.Context, id string) error {
	return m.repo.Delete(ctx, id) // EXPECT kvsession
}
