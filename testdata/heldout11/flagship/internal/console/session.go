// Package console implements sign-in for the admin console (password plus
// one-time code, or an invitation link) and console sessions.
package console

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"example.com/flagship/internal/kvkey"
	"example.com/flagship/internal/storage"
)

// ErrNoSession is returned for unknown or expired session IDs.
var ErrNoSession = errors.New("console: no such session")

// Session is a signed-in operator.
type Session struct {
	ID        string    `json:"id"`
	User      string    `json:"user"`
	Role      string    `json:"role"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
}

// Sessions stores sessions in the sessions namespace.
type Sessions struct {
	kv  storage.Store
	ttl time.Duration
}

// NewSessions returns a session store; ttl comes from configuration.
func NewSessions(kv storage.Store, ttl time.Duration) *Sessions { return &Sessions{kv: kv, ttl: ttl} }

// TTL is the configured session lifetime.
func (s *Sessions) TTL() time.Duration { return s.ttl }

// Key returns the storage key of a session ID.
func Key(id string) string { return kvkey.Sessions.Child(id).String() }

// Create starts a session for user under a new random ID.
func (s *Sessions) Create(ctx context.Context, user, role string) (Session, error) {
	now := time.Now().UTC()
	sess := Session{ID: kvkey.NewID() + kvkey.NewID(), User: user, Role: role, CreatedAt: now, LastSeen: now}
	b, err := json.Marshal(sess)
	if err != nil {
		return Session{}, err
	}
	return sess, s.kv.Put(ctx, Key(sess.ID), b, storage.WithTTL(s.ttl))
}

// Logout ends the session.
func (s *Sessions) Logout(ctx context.Context, id string) error {
	return s.kv.Delete(ctx, Key(id)) // EXPECT kvsession
}
