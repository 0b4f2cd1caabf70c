// Package sessions manages creator dashboard sessions.
package sessions

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"example.com/ibex/internal/keys"
	"example.com/ibex/internal/kvstore"
	"example.com/ibex/internal/lifetime"
	"example.com/ibex/internal/tokens"
)

var (
	timeNow      = time.Now
	newSessionID = tokens.Secret
)

// stepUpWindow is how long a fresh re-authentication unlocks sensitive
// actions (payout changes, show deletion).
const stepUpWindow = 45 * time.Second

// ErrNoSession is returned for unknown, expired or revoked sessions.
var ErrNoSession = errors.New("sessions: no such session")

// Session is a signed-in creator.
type Session struct {
	ID        string    `json:"-"`
	CreatorID string    `json:"creator_id"`
	UserAgent string    `json:"ua"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
	ExpiresAt time.Time `json:"expires_at"`
}

// SessionService stores sessions in KV under a hash of the session ID.
type SessionService struct {
	*kvstore.Store
	lifetime lifetime.Lifetime
	prefix   string
}

// NewService returns a SessionService whose sessions last hours hours.
func NewService(st *kvstore.Store, hours int) *SessionService {
	return &SessionService{Store: st, lifetime: lifetime.Hours(hours), prefix: "session:"}
}

// Key returns the storage key for a session ID.
func (s *SessionService) Key(id string) string { return s.prefix + keys.Token(id) }

// Create signs a creator in.
func (s *SessionService) Create(ctx context.Context, creatorID, userAgent string) (Session, error) {
	now := timeNow().UTC()
	sess := Session{
		ID:        newSessionID(),
		CreatorID: creatorID,
		UserAgent: userAgent,
		CreatedAt: now,
		LastSeen:  now,
		ExpiresAt: now.Add(s.lifetime.Duration()),
	}
	b, err := json.Marshal(sess)
	if err != nil {
		return Session{}, err
	}
	if err := s.PutAt(ctx, s.Key(sess.ID), b, sess.ExpiresAt); err != nil {
		return Session{}, err
	}
	return sess, nil
}

// Lookup returns the session for id.
func (s *SessionService) Lookup(ctx context.Context, id string) (Session, error) {
	var sess Session
	found, err := s.Load(ctx, s.Key(id), &sess)
	if err != nil {
		return Session{}, err
	}
	if !found || timeNow().After(sess.ExpiresAt) {
		return Session{}, ErrNoSession
	}
	var revokedBefore time.Time
	if found, err := s.Load(ctx, revocationKey(sess.CreatorID), &revokedBefore); err != nil {
		return Session{}, err
	} else if found && sess.CreatedAt.Before(revokedBefore) {
		return Session{}, ErrNoSession
	}
	sess.ID = id
	return sess, nil
}

// Logout ends a session.
func (s *SessionService) Logout(ctx context.Context, id string) error {
	return s.Delete(ctx, s.Key(id)) // EXPECT kvsession
}

func revocationKey(creatorID string) string { return "session-revocations:" + creatorID }

// RevokeAll signs the creator out everywhere, e.g. after a password change.
func (s *SessionService) RevokeAll(ctx context.Context, creatorID string) error {
	b, err := json.Marshal(timeNow().UTC())
	if err != nil {
		return err
	}
	return s.PutTTL(ctx, revocationKey(creatorID), b, s.lifetime.Duration()) // EXPECT kvsession
}

// GrantStepUp records a fresh re-authentication for a session.
func (s *SessionService) GrantStepUp(ctx context.Context, sessionID string) error {
	return s.PutTTL(ctx, "stepup:"+keys.Token(sessionID), []byte("1"), stepUpWindow) // EXPECT kvttl
}

// Seen records activity on sess.
func (s *SessionService) Seen(ctx context.Context, sess Session) error {
	return Touch(ctx, s.Store, s.Key(sess.ID), sess)
}

// Touch stamps LastSeen on a stored session so the dashboard can show
// "active now" and idle sessions can be reaped.
func Touch(ctx context.Context, kv interface {
	Put(context.Context, string, []byte) error
}, key string, sess Session) error {
	sess.LastSeen = timeNow().UTC()
	b, err := json.Marshal(sess)
	if err != nil {
		return err
	}
	return kv.Put(ctx, key, b) // EXPECT kvsession
}
