// Package session manages operator sessions for the fleet console.
package session

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"bittern/internal/config"
	"bittern/internal/keys"
	"bittern/internal/kvstore"
)

// Session is one signed-in operator.
type Session struct {
	ID        string    `json:"id"`
	Operator  string    `json:"operator"`
	Tenant    string    `json:"tenant"`
	Roles     []string  `json:"roles"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Store is the part of a KV namespace sessions need.
type Store interface {
	kvstore.Reader
	kvstore.Writer
	kvstore.Deleter
	kvstore.Lister
}

// AuthError is returned for a missing, expired or revoked credential.
type AuthError struct {
	Reason string
	Err    error
}

func (e *AuthError) Error() string { return "unauthenticated: " + e.Reason }

func (e *AuthError) Unwrap() error { return e.Err }

type kind int

const (
	kindAccess kind = iota
	kindRefresh
	kindRevoked
	kindCSRF
	kindSSOState
)

// plan says where credentials of one kind live and for how long.
type plan struct {
	Prefix string
	TTL    time.Duration
}

func (p plan) key(id string) string { return p.Prefix + id }

// Manager creates, validates and ends sessions.
type Manager struct {
	st  Store
	cfg config.Sessions
}

// NewManager returns a session manager.
func NewManager(st Store, cfg config.Sessions) *Manager {
	return &Manager{st: st, cfg: cfg}
}

func (m *Manager) plan(k kind) plan {
	switch k {
	case kindRefresh:
		return plan{Prefix: "refresh/", TTL: m.cfg.RefreshTTL}
	case kindRevoked:
		return plan{Prefix: "revoked/", TTL: m.cfg.AbsoluteTimeout}
	case kindCSRF:
		return plan{Prefix: "csrf/", TTL: 30 * time.Second}
	case kindSSOState:
		return plan{Prefix: "sso-state/", TTL: 10 * time.Minute}
	default:
		return plan{Prefix: "sess/", TTL: m.cfg.IdleTimeout}
	}
}

func newID() string {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}

func indexKey(operator, id string) string { return keys.OperatorIndex.Key(operator, id) }

func (m *Manager) put(ctx context.Context, key string, s Session, ttl time.Duration) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return m.st.Put(ctx, key, b, ttl)
}

// Create starts a session and returns it with a refresh token.
func (m *Manager) Create(ctx context.Context, operator, tenant string, roles []string) (Session, string, error) {
	now := time.Now().UTC()
	s := Session{
		ID: newID(), Operator: operator, Tenant: tenant, Roles: roles,
		CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(m.cfg.AbsoluteTimeout),
	}
	body, err := json.Marshal(s)
	if err != nil {
		return Session{}, "", err
	}
	refresh := newID()
	access, r := m.plan(kindAccess), m.plan(kindRefresh)
	for _, w := range []struct {
		what  string
		key   string
		value []byte
		ttl   time.Duration
	}{
		{"session", access.key(s.ID), body, access.TTL},
		{"index", indexKey(operator, s.ID), nil, m.cfg.AbsoluteTimeout},
		{"refresh token", r.key(refresh), []byte(s.ID), r.TTL},
	} {
		if err := m.st.Put(ctx, w.key, w.value, w.ttl); err != nil {
			return Session{}, "", fmt.Errorf("create %s: %w", w.what, err)
		}
	}
	return s, refresh, nil
}

func (m *Manager) load(ctx context.Context, id string) (Session, error) {
	raw, err := m.st.Get(ctx, m.plan(kindAccess).key(id))
	if err != nil {
		if kvstore.IsNotFound(err) {
			return Session{}, &AuthError{Reason: "unknown session"}
		}
		return Session{}, fmt.Errorf("load session: %w", err)
	}
	var s Session
	if err := json.Unmarshal(raw, &s); err != nil {
		return Session{}, &AuthError{Reason: "corrupt session", Err: err}
	}
	return s, nil
}

// Validate returns the live session id, sliding its idle expiry forward.
func (m *Manager) Validate(ctx context.Context, id string) (Session, error) {
	s, err := m.load(ctx, id)
	if err != nil {
		return Session{}, err
	}
	now := time.Now()
	if now.After(s.ExpiresAt) {
		return Session{}, &AuthError{Reason: "session expired"}
	}
	if now.Sub(s.LastSeen) > time.Minute {
		p := m.plan(kindAccess)
		s.LastSeen = now.UTC()
		if err := m.put(ctx, p.key(id), s, p.TTL); err != nil { // EXPECT kvsession|kvrace
			return Session{}, fmt.Errorf("touch session: %w", err)
		}
	}
	return s, nil
}

// Logout ends one session.
func (m *Manager) Logout(ctx context.Context, s Session) error {
	return errors.Join(
		m.revoke(ctx, s.ID),
		m.st.Delete(ctx, indexKey(s.Operator, s.ID)),
	)
}

func (m *Manager) revoke(ctx context.Context, id string) error {
	return m.st.Delete(ctx, m.plan(kindAccess).key(id)) // EXPECT kvsession
}

// Refresh exchanges a refresh token for a new one bound to the same session.
func (m *Manager) Refresh(ctx context.Context, token string) (Session, string, error) {
	r := m.plan(kindRefresh)
	raw, err := m.st.Get(ctx, r.key(token))
	if err != nil {
		if kvstore.IsNotFound(err) {
			return Session{}, "", &AuthError{Reason: "unknown refresh token"}
		}
		return Session{}, "", fmt.Errorf("refresh: %w", err)
	}
	s, err := m.load(ctx, string(raw))
	if err != nil {
		return Session{}, "", err
	}
	// A refresh token never outlives the session it belongs to.
	next := newID()
	if err := m.st.Put(ctx, r.key(next), []byte(s.ID), time.Until(s.ExpiresAt)); err != nil { // EXPECT kvttl
		return Session{}, "", fmt.Errorf("refresh: %w", err)
	}
	if err := m.st.Delete(ctx, r.key(token)); err != nil { // EXPECT kvsession
		return Session{}, "", fmt.Errorf("refresh: retire old token: %w", err)
	}
	return s, next, nil
}

// Denylist records a revoked API token ID until it would have expired.
func (m *Manager) Denylist(ctx context.Context, tokenID string, reason string) error {
	v := m.plan(kindRevoked)
	return m.st.Put(ctx, v.key(tokenID), []byte(reason), v.TTL) // EXPECT kvsession
}

// IssueCSRF returns a token the console must echo on state-changing calls.
func (m *Manager) IssueCSRF(ctx context.Context, sessionID string) (string, error) {
	tok := newID()
	c := m.plan(kindCSRF)
	if err := m.st.Put(ctx, c.key(tok), []byte(sessionID), c.TTL); err != nil { // EXPECT kvttl
		return "", fmt.Errorf("csrf: %w", err)
	}
	return tok, nil
}

// BeginSSO stores the OAuth state parameter for a login redirect.
func (m *Manager) BeginSSO(ctx context.Context, returnTo string) (string, error) {
	state := newID()
	p := m.plan(kindSSOState)
	if err := m.st.Put(ctx, p.key(state), []byte(returnTo), p.TTL); err != nil {
		return "", fmt.Errorf("sso state: %w", err)
	}
	return state, nil
}

// FinishSSO checks the state parameter of a callback and returns where the
// operator was going.
func (m *Manager) FinishSSO(ctx context.Context, state string) (string, error) {
	p := m.plan(kindSSOState)
	raw, err := m.st.Get(ctx, p.key(state))
	if err != nil {
		if kvstore.IsNotFound(err) {
			return "", &AuthError{Reason: "unknown sso state"}
		}
		return "", fmt.Errorf("sso state: %w", err)
	}
	if err := m.st.Delete(ctx, p.key(state)); err != nil { // EXPECT kvsession
		return "", fmt.Errorf("sso state: %w", err)
	}
	return string(raw), nil
}
