// Package session manages operator console sessions, one-time login codes and
// refresh tokens.
package session

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"example.com/harbor/internal/storage"
)

var (
	ErrNoSession = errors.New("session: not found")
	ErrBadCode   = errors.New("session: invalid code")
	ErrLocked    = errors.New("session: too many failed attempts")
)

// Session is an authenticated console session.
type Session struct {
	ID        string    `json:"id"`
	Operator  string    `json:"operator"`
	Roles     []string  `json:"roles"`
	ExpiresAt time.Time `json:"expires_at"`
	LastSeen  time.Time `json:"last_seen"`
}

// Config is the subset of service configuration the manager needs.
type Config struct {
	TTL, OTPTTL, RefreshTTL time.Duration
	MaxAttempts             int
}

// Manager stores sessions in the sessions namespace.
type Manager struct {
	st  storage.Store
	cfg Config
	log *slog.Logger
	now func() time.Time
}

// NewManager returns a Manager.
func NewManager(st storage.Store, cfg Config, log *slog.Logger) *Manager {
	if cfg.MaxAttempts == 0 {
		cfg.MaxAttempts = 5
	}
	return &Manager{st: st, cfg: cfg, log: log, now: time.Now}
}

func token(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func sessionKey(id string) string { return "sess:" + id }

// Create starts a session for operator.
func (m *Manager) Create(ctx context.Context, operator string, roles []string) (Session, error) {
	now := m.now().UTC()
	s := Session{ID: token(32), Operator: operator, Roles: roles, ExpiresAt: now.Add(m.cfg.TTL), LastSeen: now}
	b, _ := json.Marshal(s)
	if err := m.st.Put(ctx, sessionKey(s.ID), b, storage.WithTTL(m.cfg.TTL)); err != nil { // DEBATABLE kvsession
		return Session{}, err
	}
	return s, nil
}

// Lookup returns the session with id.
func (m *Manager) Lookup(ctx context.Context, id string) (Session, error) {
	b, err := m.st.Get(ctx, sessionKey(id))
	if storage.IsNotFound(err) {
		return Session{}, ErrNoSession
	}
	if err != nil {
		return Session{}, err
	}
	var s Session
	if err := json.Unmarshal(b, &s); err != nil {
		return Session{}, fmt.Errorf("session: decode: %w", err)
	}
	if !m.now().Before(s.ExpiresAt) {
		return Session{}, ErrNoSession
	}
	return s, nil
}

// Touch extends an active session so operators working a shift are not
// logged out mid-task.
func (m *Manager) Touch(ctx context.Context, s Session) (Session, error) {
	now := m.now().UTC()
	s.LastSeen = now
	s.ExpiresAt = now.Add(m.cfg.TTL)
	b, _ := json.Marshal(s)
	return s, m.st.Put(ctx, sessionKey(s.ID), b, storage.WithTTL(m.cfg.TTL)) // EXPECT kvsession
}

// Logout ends a session.
func (m *Manager) Logout(ctx context.Context, id string) error {
	return m.st.Delete(ctx, sessionKey(id)) // EXPECT kvsession
}

// IssueCode creates a one-time login code for operator.
func (m *Manager) IssueCode(ctx context.Context, operator string) (string, error) {
	code := token(16)
	return code, m.st.Put(ctx, "otp:"+code, []byte(operator), storage.WithTTL(m.cfg.OTPTTL))
}

// RedeemCode exchanges a one-time code for the operator it was issued to.
func (m *Manager) RedeemCode(ctx context.Context, code string) (string, error) {
	b, err := m.st.Get(ctx, "otp:"+code)
	if storage.IsNotFound(err) {
		return "", ErrBadCode
	}
	if err != nil {
		return "", err
	}
	if err := m.st.Delete(ctx, "otp:"+code); err != nil { // EXPECT kvsession
		return "", err
	}
	return string(b), nil
}

// FailedLogin records a failed password attempt and returns ErrLocked once
// the operator has reached the limit.
func (m *Manager) FailedLogin(ctx context.Context, operator string) error {
	key := "login-attempts:" + operator
	n := 0
	b, err := m.st.Get(ctx, key)
	switch {
	case storage.IsNotFound(err):
	case err != nil:
		return err
	default:
		n, _ = strconv.Atoi(string(b))
	}
	n++
	if err := m.st.Put(ctx, key, []byte(strconv.Itoa(n)), storage.WithTTL(15*time.Minute)); err != nil { // EXPECT kvcounter
		return err
	}
	if n >= m.cfg.MaxAttempts {
		m.log.Warn("operator locked out", "operator", operator, "attempts", n)
		return ErrLocked
	}
	return nil
}

// Refresh is the long-lived credential the console uses to obtain sessions.
type Refresh struct {
	Token     string    `json:"token"`
	Operator  string    `json:"operator"`
	ExpiresAt time.Time `json:"expires_at"`
}

// RotateRefresh issues a new refresh token for operator, replacing the
// previous one (after a password change or on each renewal).
func (m *Manager) RotateRefresh(ctx context.Context, operator string) (Refresh, error) {
	r := Refresh{Token: token(32), Operator: operator, ExpiresAt: m.now().UTC().Add(m.cfg.RefreshTTL)}
	b, _ := json.Marshal(r)
	if err := m.st.Put(ctx, "refresh:"+operator, b, storage.WithTTL(m.cfg.RefreshTTL)); err != nil { // EXPECT kvsession
		return Refresh{}, err
	}
	return r, nil
}
