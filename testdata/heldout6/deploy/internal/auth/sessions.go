// Package auth manages dashboard sessions for human operators.
package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"time"

	"example.com/deploy/internal/clock"
	"example.com/deploy/internal/store"
)

// ErrNoSession is returned for unknown or expired sessions.
var ErrNoSession = errors.New("auth: no session")

// Session is one logged-in operator.
type Session struct {
	ID        string    `json:"id"`
	User      string    `json:"user"`
	CSRF      string    `json:"csrf"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
}

// Sessions is the session store.
type Sessions struct {
	kv    store.Store
	ttl   time.Duration
	clock clock.Clock
}

// NewSessions returns a session store whose sessions idle out after ttl.
func NewSessions(kv store.Store, ttl time.Duration, c clock.Clock) *Sessions {
	return &Sessions{kv: kv, ttl: ttl, clock: clock.Or(c)}
}

func key(id string) string { return "session/" + id }

func token(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Login starts a session for user.
func (s *Sessions) Login(ctx context.Context, user string) (Session, error) {
	now := s.clock.Now().UTC()
	sess := Session{ID: token(32), User: user, CSRF: token(16), CreatedAt: now, LastSeen: now}
	return sess, store.PutJSON(ctx, s.kv, key(sess.ID), sess, store.WithTTL(s.ttl))
}

// Lookup returns the session with id.
func (s *Sessions) Lookup(ctx context.Context, id string) (Session, error) {
	sess, err := store.GetJSON[Session](ctx, s.kv, key(id))
	if store.IsNotFound(err) {
		return Session{}, ErrNoSession
	}
	return sess, err
}

// Touch records activity on a session the caller has just looked up and
// pushes its idle expiry out.
func (s *Sessions) Touch(ctx context.Context, sess Session) error {
	sess.LastSeen = s.clock.Now().UTC()
	return store.PutJSON(ctx, s.kv, key(sess.ID), sess, store.WithTTL(s.ttl)) // EXPECT kvsession|kvrace
}

// Logout ends the session.
func (s *Sessions) Logout(ctx context.Context, id string) error {
	return s.kv.Delete(ctx, key(id)) // EXPECT kvsession
}
