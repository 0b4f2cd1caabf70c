// Package account holds browser sessions and magic sign-in links for the
// registry website.
package account

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tealpkg/teal/internal/kvstore"
)

// ErrNoSession is returned when a session ID is unknown or expired.
var ErrNoSession = errors.New("account: no such session")

// Session is a signed-in publisher's browser session.
type Session struct {
	ID        string    `json:"id"`
	User      string    `json:"user"`
	TwoFactor bool      `json:"2fa"`
	Created   time.Time `json:"created"`
	Seen      time.Time `json:"seen"`

	store *Sessions
}

// Sessions stores sessions in the auth namespace.
type Sessions struct {
	kv   *kvstore.Client
	ns   kvstore.Namespace
	idle time.Duration
	mode kvstore.Flags
}

// NewSessions returns a session store. idle is the inactivity timeout;
// mode selects sliding or fixed expiry.
func NewSessions(kv *kvstore.Client, ns kvstore.Namespace, idle time.Duration, mode kvstore.Flags) *Sessions {
	return &Sessions{kv: kv, ns: ns, idle: idle, mode: mode}
}

func newID() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func sessKey(id string) string            { return "sess:" + id }
func userIndexKey(user, id string) string { return "user-sess:" + user + ":" + id }

// Start creates a new session for user.
func (s *Sessions) Start(ctx context.Context, user string, twoFactor bool) (*Session, error) {
	now := time.Now().UTC()
	sess := &Session{ID: newID(), User: user, TwoFactor: twoFactor, Created: now, Seen: now, store: s}
	if err := s.kv.Write(ctx, s.ns, sessKey(sess.ID), sess, s.idle, kvstore.Retry); err != nil { // DEBATABLE kvsession
		return nil, fmt.Errorf("start session: %w", err)
	}
	if err := s.kv.Put(ctx, s.ns, userIndexKey(user, sess.ID), nil, s.idle); err != nil {
		return nil, fmt.Errorf("index session: %w", err)
	}
	return sess, nil
}

// Find loads a session by ID.
func (s *Sessions) Find(ctx context.Context, id string) (*Session, error) {
	sess, err := kvstore.NewKey[Session](s.kv, s.ns, sessKey(id)).Load(ctx)
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, err
	}
	sess.store = s
	return &sess, nil
}

// Touch marks the session as seen. In sliding mode the record is rewritten
// so that its lifetime restarts.
func (sess *Session) Touch(ctx context.Context) error {
	sess.Seen = time.Now().UTC()
	s := sess.store
	if s.mode&kvstore.Sliding == 0 {
		return nil
	}
	return s.kv.Write(ctx, s.ns, sessKey(sess.ID), sess, s.idle, s.mode) // EXPECT kvsession
}

// End signs the session out.
func (sess *Session) End(ctx context.Context) error {
	s := sess.store
	if err := s.kv.Delete(ctx, s.ns, sessKey(sess.ID)); err != nil { // EXPECT kvsession
		return err
	}
	return s.kv.Delete(ctx, s.ns, userIndexKey(sess.User, sess.ID)) // DEBATABLE kvsession
}

// EndAll signs out every session of user, for example after a password or
// 2FA change. At most ten pages of sessions are examined.
func (s *Sessions) EndAll(ctx context.Context, user string) (int, error) {
	prefix := "user-sess:" + user + ":"
	names, _, err := s.kv.ListKeys(ctx, s.ns, prefix, 10)
	if err != nil {
		return 0, err
	}
	ended := 0
	for _, name := range names {
		id := strings.TrimPrefix(name, prefix)
		if err := s.kv.Delete(ctx, s.ns, sessKey(id)); err != nil { // EXPECT kvsession
			return ended, err
		}
		ended++
	}
	return ended, nil
}
