// Package signin handles sign-in (magic links, one-time codes, SSO), sessions
// and refresh tokens.
package signin

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"example.com/meadow/internal/storage"
)

var (
	ErrNoSession = errors.New("signin: no such session")
	ErrRevoked   = errors.New("signin: session revoked")
)

func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("signin: no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Session is a signed-in browser.
type Session struct {
	ID        string    `json:"id"`
	User      string    `json:"user"`
	Tenant    string    `json:"tenant"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
	ExpiresAt time.Time `json:"expires_at"`
}

type sessionStore interface {
	storage.Store
	storage.Deleter
}

// Sessions stores sessions.
type Sessions struct {
	store sessionStore
	ttl   time.Duration
	clock func() time.Time
}

// NewSessions returns a session store whose sessions last ttlSeconds.
func NewSessions(st sessionStore, ttlSeconds int64, clock func() time.Time) *Sessions {
	return &Sessions{store: st, ttl: time.Duration(ttlSeconds) * time.Second, clock: clock}
}

func sessionKey(id string) string         { return "sess/" + id }
func revokedBeforeKey(user string) string { return "revoked-before/" + user }

// Create starts a session for user.
func (s *Sessions) Create(ctx context.Context, user, tenantID string) (Session, error) {
	now := s.clock().UTC()
	sess := Session{ID: randomToken(24), User: user, Tenant: tenantID, CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(s.ttl)}
	b, err := json.Marshal(sess)
	if err != nil {
		return Session{}, err
	}
	if err := s.store.Put(ctx, sessionKey(sess.ID), b, storage.PutOptions{TTL: s.ttl}); err != nil { // DEBATABLE kvsession
		return Session{}, err
	}
	return sess, nil
}

// Lookup returns a live session.
func (s *Sessions) Lookup(ctx context.Context, id string) (Session, error) {
	b, err := s.store.Get(ctx, sessionKey(id))
	if storage.IsNotFound(err) {
		return Session{}, ErrNoSession
	}
	if err != nil {
		return Session{}, err
	}
	var sess Session
	if err := json.Unmarshal(b, &sess); err != nil {
		return Session{}, ErrNoSession
	}
	if !s.clock().Before(sess.ExpiresAt) {
		return Session{}, ErrNoSession
	}
	rb, err := s.store.Get(ctx, revokedBeforeKey(sess.User))
	switch {
	case err == nil:
		if cut, perr := strconv.ParseInt(string(rb), 10, 64); perr == nil && sess.CreatedAt.Unix() < cut {
			return Session{}, ErrRevoked
		}
	case !storage.IsNotFound(err):
		return Session{}, err
	}
	return sess, nil
}

// Touch extends a session's idle expiry; the HTTP layer calls it on every
// authenticated request.
func (s *Sessions) Touch(ctx context.Context, id string) (Session, error) {
	sess, err := s.Lookup(ctx, id)
	if err != nil {
		return Session{}, err
	}
	now := s.clock().UTC()
	sess.LastSeen = now
	sess.ExpiresAt = now.Add(s.ttl)
	b, err := json.Marshal(sess)
	if err != nil {
		return Session{}, err
	}
	if err := s.store.Put(ctx, sessionKey(id), b, storage.PutOptions{TTL: s.ttl}); err != nil { // EXPECT kvsession
		return Session{}, err
	}
	return sess, nil
}

// Logout ends one session.
func (s *Sessions) Logout(ctx context.Context, id string) error {
	return s.store.Delete(ctx, sessionKey(id)) // EXPECT kvsession
}

// RevokeAll invalidates every session of user created before now, e.g. after a
// password change.
func (s *Sessions) RevokeAll(ctx context.Context, user string) error {
	now := strconv.FormatInt(s.clock().Unix(), 10)
	return s.store.Put(ctx, revokedBeforeKey(user), []byte(now), storage.PutOptions{TTL: s.ttl}) // EXPECT kvsession
}
