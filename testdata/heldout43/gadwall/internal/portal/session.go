// Package portal is the customer portal: sign-up, password and magic-link
// logins, step-up codes, device pairing and refresh tokens for the desktop
// app.
package portal

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"time"

	"gadwall/internal/clock"
	"gadwall/internal/keys"
	"gadwall/internal/kvstore"
)

// ErrNoSession is returned for an unknown or expired session.
var ErrNoSession = errors.New("portal: no such session")

// Session is a signed-in portal visitor. It saves, touches and deletes
// itself.
type Session struct {
	ID        keys.SessionID `json:"id"`
	Customer  string         `json:"customer"`
	TenantID  string         `json:"tenant_id,omitempty"`
	UserAgent string         `json:"user_agent,omitempty"`
	CreatedAt time.Time      `json:"created_at"`
	ExpiresAt time.Time      `json:"expires_at"`

	kv    kvstore.KV
	clock clock.Clock
	ttl   time.Duration
}

// Sessions creates and finds sessions.
type Sessions struct {
	kv    kvstore.KV
	clock clock.Clock
	ttl   time.Duration
}

// NewSessions returns a session finder whose sessions live for ttl.
func NewSessions(kv kvstore.KV, clk clock.Clock, ttl time.Duration) *Sessions {
	return &Sessions{kv: kv, clock: clk, ttl: ttl}
}

// Create starts a session with a fresh random ID.
func (r *Sessions) Create(ctx context.Context, customer, userAgent string) (*Session, error) {
	now := r.clock.Now()
	s := &Session{
		ID: keys.SessionID(rand.Text()), Customer: customer, UserAgent: userAgent,
		CreatedAt: now, ExpiresAt: now.Add(r.ttl),
		kv: r.kv, clock: r.clock, ttl: r.ttl,
	}
	b, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	if err := r.kv.PutTTL(ctx, s.ID, b, r.ttl); err != nil {
		return nil, err
	}
	return s, r.kv.PutTTL(ctx, keys.SessionIndex{Customer: customer, Session: s.ID}, nil, r.ttl)
}

// Find loads a session by ID.
func (r *Sessions) Find(ctx context.Context, id keys.SessionID) (*Session, error) {
	raw, err := r.kv.Get(ctx, id)
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, err
	}
	s := &Session{kv: r.kv, clock: r.clock, ttl: r.ttl}
	if err := json.Unmarshal(raw, s); err != nil {
		return nil, err
	}
	if r.clock.Now().After(s.ExpiresAt) {
		return nil, ErrNoSession
	}
	return s, nil
}

// Save writes the session until its expiry.
func (s *Session) Save(ctx context.Context) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	ttl := s.ExpiresAt.Sub(s.clock.Now())
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.kv.PutTTL(ctx, s.ID, b, ttl)
}

// Touch slides the session's expiry forward.
func (s *Session) Touch(ctx context.Context) error {
	s.ExpiresAt = s.clock.Now().Add(s.ttl)
	return s.Save(ctx)
}

// Delete ends the session.
func (s *Session) Delete(ctx context.Context) error {
	if err := s.kv.Delete(ctx, s.ID); err != nil {
		return err
	}
	return s.kv.Delete(ctx, keys.SessionIndex{Customer: s.Customer, Session: s.ID})
}
