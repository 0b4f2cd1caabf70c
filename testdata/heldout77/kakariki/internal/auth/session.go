// Package auth manages browser sessions, API keys and the OAuth flow that
// connects a user's calendar.
package auth

import (
	"context"
	"crypto/rand"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/kakariki-ai/kakariki/internal/kvstore"
)

// CookieName is the session cookie.
const CookieName = "kk_session"

// ErrNoSession is returned for missing or expired sessions.
var ErrNoSession = errors.New("auth: no session")

// Session is a signed-in browser.
type Session struct {
	ID       string    `json:"id"`
	UserID   string    `json:"user_id"`
	CSRF     string    `json:"csrf"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
	Agent    string    `json:"agent"`
}

// Sessions stores sessions in KV.
type Sessions struct {
	KV  *kvstore.Store
	TTL time.Duration
}

func sessionKey(id string) string         { return "sess:" + id }
func userIndexPrefix(user string) string  { return "sessidx:" + user + ":" }
func userIndexKey(user, id string) string { return userIndexPrefix(user) + id }

// Create starts a session for user.
func (s *Sessions) Create(ctx context.Context, user string, r *http.Request) (*Session, error) {
	now := time.Now().UTC()
	sess := &Session{
		ID:       rand.Text(),
		UserID:   user,
		CSRF:     rand.Text(),
		Created:  now,
		LastSeen: now,
		Agent:    r.UserAgent(),
	}
	if err := s.KV.PutJSON(ctx, sessionKey(sess.ID), sess, s.TTL); err != nil {
		return nil, err
	}
	if err := s.KV.Put(ctx, userIndexKey(user, sess.ID), nil, s.TTL); err != nil {
		return nil, err
	}
	return sess, nil
}

// FromRequest returns the session named by the request's cookie.
func (s *Sessions) FromRequest(ctx context.Context, r *http.Request) (*Session, error) {
	c, err := r.Cookie(CookieName)
	if err != nil || c.Value == "" {
		return nil, ErrNoSession
	}
	var sess Session
	if err := s.KV.GetJSON(ctx, sessionKey(c.Value), &sess); err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			return nil, ErrNoSession
		}
		return nil, err
	}
	return &sess, nil
}

// Touch extends the session on activity so active users stay signed in.
func (s *Sessions) Touch(ctx context.Context, sess *Session) error {
	sess.LastSeen = time.Now().UTC()
	return s.KV.PutJSON(ctx, sessionKey(sess.ID), sess, s.TTL) // EXPECT kvsession
}

// Logout ends one session.
func (s *Sessions) Logout(ctx context.Context, sess *Session) error {
	_ = s.KV.Delete(ctx, userIndexKey(sess.UserID, sess.ID))
	return s.KV.Delete(ctx, sessionKey(sess.ID)) // EXPECT kvsession
}

// RevokeAll ends every session of user, e.g. after a password change.
func (s *Sessions) RevokeAll(ctx context.Context, user string) error {
	p, err := s.KV.List(ctx, userIndexPrefix(user), "", 1000) // EXPECT kvlist
	if err != nil {
		return err
	}
	var errs []error
	for _, k := range p.Keys {
		id := strings.TrimPrefix(k.Name, userIndexPrefix(user))
		if err := s.KV.Delete(ctx, sessionKey(id)); err != nil { // EXPECT kvsession
			errs = append(errs, err)
		}
	}
	keys := make([]string, 0, len(p.Keys))
	for _, k := range p.Keys {
		keys = append(keys, k.Name)
	}
	if len(keys) > 0 {
		errs = append(errs, s.KV.BulkDelete(ctx, keys))
	}
	return errors.Join(errs...)
}
