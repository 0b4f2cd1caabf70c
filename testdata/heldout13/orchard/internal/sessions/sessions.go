// Package sessions manages buyer sessions, refresh tokens and e-mail
// verification codes.
package sessions

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"example.com/orchard/internal/codec"
	"example.com/orchard/internal/config"
	"example.com/orchard/internal/store"
)

// Session is a signed-in buyer.
type Session struct {
	ID        string    `json:"id"`
	BuyerID   string    `json:"buyer_id"`
	CSRF      string    `json:"csrf"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
	ExpiresAt time.Time `json:"expires_at"`
}

// ErrNoSession covers unknown, expired and revoked sessions alike.
var ErrNoSession = errors.New("sessions: no session")

// ErrBadCode is returned for a wrong or expired verification code.
var ErrBadCode = errors.New("sessions: bad verification code")

// Manager creates and looks up sessions.
type Manager struct {
	st      store.Store
	put     store.PutFunc
	sess    config.Policy
	refresh config.Policy
	otp     config.Policy
	idle    time.Duration
	log     *slog.Logger
	now     func() time.Time
}

// NewManager wires a Manager. put is usually store.Putter(st); tests pass a
// recorder.
func NewManager(st store.Store, put store.PutFunc, pol config.Policies, idle time.Duration, log *slog.Logger) *Manager {
	return &Manager{
		st:      st,
		put:     put,
		sess:    pol.Get("sessions"),
		refresh: pol.Get("refresh"),
		otp:     pol.Get("otp"),
		idle:    idle,
		log:     log,
		now:     time.Now,
	}
}

// Create signs a buyer in with a fresh session id.
func (m *Manager) Create(ctx context.Context, buyerID string) (Session, error) {
	now := m.now().UTC()
	s := Session{
		ID:        codec.Token(32),
		BuyerID:   buyerID,
		CSRF:      codec.Token(16),
		CreatedAt: now,
		LastSeen:  now,
		ExpiresAt: now.Add(m.sess.TTL),
	}
	b, err := json.Marshal(s)
	if err != nil {
		return Session{}, err
	}
	if err := m.put(ctx, m.sess.Key(s.ID), string(b), m.sess.TTL); err != nil { // DEBATABLE kvsession
		return Session{}, fmt.Errorf("sessions: create: %w", err)
	}
	return s, nil
}

// Lookup returns a live session.
func (m *Manager) Lookup(ctx context.Context, id string) (Session, error) {
	s, ok, err := store.Load[Session](ctx, m.st, m.sess.Key(id))
	if err != nil {
		return Session{}, err
	}
	if !ok || !s.ExpiresAt.After(m.now()) {
		return Session{}, ErrNoSession
	}
	return s, nil
}

// Touch slides the idle expiry forward. The middleware calls it for every
// authenticated request.
func (m *Manager) Touch(ctx context.Context, s *Session) error {
	now := m.now().UTC()
	s.LastSeen = now
	s.ExpiresAt = now.Add(m.idle)
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return m.put(ctx, m.sess.Key(s.ID), string(b), m.idle) // EXPECT kvsession
}

// Logout ends a session.
func (m *Manager) Logout(ctx context.Context, id string) error {
	return m.st.Delete(ctx, m.sess.Key(id)) // EXPECT kvsession
}

// IssueCode stores a six-digit code mailed to the buyer to confirm an
// address. The code maps back to the address.
func (m *Manager) IssueCode(ctx context.Context, email string) (string, error) {
	code := codec.Digits()
	if err := m.st.Put(ctx, m.otp.Key(code), email, store.WithTTL(m.otp.TTL)); err != nil {
		return "", err
	}
	return code, nil
}

// CheckCode reports whether code was issued for email and is still live.
func (m *Manager) CheckCode(ctx context.Context, email, code string) error {
	want, err := m.st.Get(ctx, m.otp.Key(code))
	if store.IsNotFound(err) {
		return ErrBadCode
	}
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare([]byte(want), []byte(email)) != 1 {
		return ErrBadCode
	}
	return nil
}
