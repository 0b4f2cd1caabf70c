// Package session issues player sessions, refresh tokens and the short-lived
// hand-off tickets used to connect to a game server.
package session

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"example.com/dunlin/internal/game"
	"example.com/dunlin/internal/keys"
	"example.com/dunlin/internal/kvstore"
)

var (
	ErrUnknown = errors.New("session: unknown or expired")
	ErrLocked  = errors.New("session: too many failed logins")
)

// Store is the storage port of the session manager.
type Store = kvstore.Store

// Session is a signed-in player.
type Session struct {
	ID       string    `json:"id"`
	Player   string    `json:"player"`
	Plan     game.Plan `json:"plan"`
	Region   string    `json:"region"`
	IssuedAt time.Time `json:"issued_at"`
	LastSeen time.Time `json:"last_seen"`
}

// RefreshToken lets a client obtain a new session without credentials.
type RefreshToken struct {
	ID        string    `json:"id"`
	Player    string    `json:"player"`
	Plan      game.Plan `json:"plan"`
	SessionID string    `json:"session_id"`
	IssuedAt  time.Time `json:"issued_at"`
}

// Option configures a Manager.
type Option interface{ apply(*Manager) }

type sessionTTLOption time.Duration

func (o sessionTTLOption) apply(m *Manager) { m.sessionTTL = time.Duration(o) }

type refreshTTLOption time.Duration

func (o refreshTTLOption) apply(m *Manager) { m.refreshTTL = time.Duration(o) }

func WithSessionTTL(d time.Duration) Option { return sessionTTLOption(d) }
func WithRefreshTTL(d time.Duration) Option { return refreshTTLOption(d) }

// Manager owns the session key space.
type Manager struct {
	st          Store
	ks          keys.Space
	sessionTTL  time.Duration
	refreshTTL  time.Duration
	touchEvery  time.Duration
	maxFailures int
}

// NewManager returns a manager; call SetStore before use.
func NewManager(ks keys.Space, opts ...Option) *Manager {
	m := &Manager{ks: ks, sessionTTL: 12 * time.Hour, refreshTTL: 30 * 24 * time.Hour, touchEvery: 15 * time.Minute, maxFailures: 5}
	for _, o := range opts {
		o.apply(m)
	}
	return m
}

func (m *Manager) SetStore(st Store) { m.st = st }

func (m *Manager) sessionEntry(id string) (string, time.Duration) {
	return m.ks.Session(id), m.sessionTTL
}

func (m *Manager) refreshEntry(id string) (string, time.Duration) {
	return m.ks.Refresh(id), m.refreshTTL
}

func (m *Manager) handoffEntry(id string) (string, time.Duration) {
	return m.ks.Handoff(id), 30 * time.Second // EXPECT kvttl
}

func token() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func (m *Manager) write(ctx context.Context, key string, ttl time.Duration, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return m.st.Put(ctx, key, raw, kvstore.WithTTL(ttl))
}

func (m *Manager) read(ctx context.Context, key string, v any) error {
	raw, err := m.st.Get(ctx, key)
	if kvstore.IsNotFound(err) {
		return ErrUnknown
	}
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

// Create signs a player in.
func (m *Manager) Create(ctx context.Context, player string, plan game.Plan, region string) (Session, RefreshToken, error) {
	now := time.Now().UTC()
	s := Session{ID: token(), Player: player, Plan: plan, Region: region, IssuedAt: now, LastSeen: now}
	key, ttl := m.sessionEntry(s.ID)
	if err := m.write(ctx, key, ttl, s); err != nil {
		return Session{}, RefreshToken{}, fmt.Errorf("session: create: %w", err)
	}
	rt := RefreshToken{ID: token(), Player: player, Plan: plan, SessionID: s.ID, IssuedAt: now}
	key, ttl = m.refreshEntry(rt.ID)
	if err := m.write(ctx, key, ttl, rt); err != nil {
		return Session{}, RefreshToken{}, fmt.Errorf("session: refresh token: %w", err)
	}
	return s, rt, nil
}

// Lookup returns the session with id.
func (m *Manager) Lookup(ctx context.Context, id string) (Session, error) {
	var s Session
	key, _ := m.sessionEntry(id)
	err := m.read(ctx, key, &s)
	return s, err
}

// Touch records activity on a session, at most once per touchEvery.
func (m *Manager) Touch(ctx context.Context, s Session) error {
	if time.Since(s.LastSeen) < m.touchEvery {
		return nil
	}
	s.LastSeen = time.Now().UTC()
	key, ttl := m.sessionEntry(s.ID)
	return m.write(ctx, key, ttl, s) // DEBATABLE kvsession
}

// SetRegion moves the session to another matchmaking region.
func (m *Manager) SetRegion(ctx context.Context, id, region string) (Session, error) {
	s, err := m.Lookup(ctx, id)
	if err != nil {
		return Session{}, err
	}
	s.Region = region
	key, ttl := m.sessionEntry(id)
	if err := m.write(ctx, key, ttl, s); err != nil { // EXPECT kvsession
		return Session{}, err
	}
	return s, nil
}

// Logout ends a session.
func (m *Manager) Logout(ctx context.Context, id string) error {
	key, _ := m.sessionEntry(id)
	return m.st.Delete(ctx, key) // EXPECT kvsession
}

// Rotate exchanges a refresh token for a new session and refresh token.
func (m *Manager) Rotate(ctx context.Context, refreshID string) (Session, RefreshToken, error) {
	var old RefreshToken
	key, _ := m.refreshEntry(refreshID)
	if err := m.read(ctx, key, &old); err != nil {
		return Session{}, RefreshToken{}, err
	}
	if err := m.st.Delete(ctx, key); err != nil { // EXPECT kvsession
		return Session{}, RefreshToken{}, err
	}
	return m.Create(ctx, old.Player, old.Plan, "")
}

// IssueHandoff mints the ticket a game server checks when the client connects.
func (m *Manager) IssueHandoff(ctx context.Context, s Session, server string) (string, error) {
	id := token()
	key, ttl := m.handoffEntry(id)
	err := m.write(ctx, key, ttl, map[string]string{"player": s.Player, "server": server})
	return id, err
}

// RecordFailedLogin counts a failed password attempt and reports whether the
// account is now locked out.
func (m *Manager) RecordFailedLogin(ctx context.Context, player string) error {
	key := m.ks.LoginAttempts(player)
	n := 0
	raw, err := m.st.Get(ctx, key)
	switch {
	case err == nil:
		n, _ = strconv.Atoi(string(raw))
	case !kvstore.IsNotFound(err):
		return err
	}
	n++
	if err := m.st.Put(ctx, key, []byte(strconv.Itoa(n)), kvstore.WithTTL(15*time.Minute)); err != nil { // EXPECT kvcounter
		return err
	}
	if n >= m.maxFailures {
		return ErrLocked
	}
	return nil
}
