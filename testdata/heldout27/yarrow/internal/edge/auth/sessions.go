// Package auth implements passwordless login: e-mailed login links that are
// exchanged for a session.
package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"example.com/yarrow/internal/config"
	"example.com/yarrow/internal/domain"
	"example.com/yarrow/internal/storage"
)

// ErrNoSession is returned for unknown or expired sessions.
var ErrNoSession = errors.New("auth: no session")

// Clock tells the time.
type Clock interface{ Now() time.Time }

// Sessions stores customer sessions.
type Sessions struct {
	store storage.Store
	clock Clock
	ttl   time.Duration
}

// ProvideSessions is the constructor used by the wiring in cmd/edge.
func ProvideSessions(st storage.Store, c Clock, cfg config.Config) *Sessions {
	return &Sessions{store: st, clock: c, ttl: cfg.SessionTTL()}
}

// Create starts a new session for a customer.
func (s *Sessions) Create(ctx context.Context, customer domain.Email) (*domain.Session, error) {
	now := s.clock.Now()
	sess := &domain.Session{ID: domain.NewSessionID(), Customer: customer.Normalize(), CreatedAt: now, LastSeen: now}
	raw, err := json.Marshal(sess)
	if err != nil {
		return nil, err
	}
	if err := s.store.Put(ctx, sess.ID.Key(), raw, storage.WriteOptions{TTL: s.ttl}); err != nil {
		return nil, fmt.Errorf("auth: create session: %w", err)
	}
	return sess, nil
}

// Lookup returns a session.
func (s *Sessions) Lookup(ctx context.Context, id domain.SessionID) (*domain.Session, error) {
	raw, err := s.store.Get(ctx, id.Key())
	if errors.Is(err, storage.ErrNotFound) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, err
	}
	var sess domain.Session
	if err := json.Unmarshal(raw, &sess); err != nil {
		return nil, fmt.Errorf("auth: session %s: %w", id, err)
	}
	return &sess, nil
}

// Touch records activity and pushes the idle expiry forward.
func (s *Sessions) Touch(ctx context.Context, id domain.SessionID) (*domain.Session, error) {
	sess, err := s.Lookup(ctx, id)
	if err != nil {
		return nil, err
	}
	sess.LastSeen = s.clock.Now()
	raw, err := json.Marshal(sess)
	if err != nil {
		return nil, err
	}
	if err := s.store.Put(ctx, id.Key(), raw, storage.WriteOptions{TTL: s.ttl}); err != nil { // EXPECT kvsession
		return nil, err
	}
	return sess, nil
}

// End logs the session out.
func (s *Sessions) End(ctx context.Context, id domain.SessionID) error {
	return s.store.Delete(ctx, id.Key()) // EXPECT kvsession
}
