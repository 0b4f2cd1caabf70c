//go:build js && wasm

// Package members handles sign-in, sessions and e-mail verification in the Worker.
package members

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"catbird/internal/edgekv"
	"catbird/internal/forum"
)

var (
	ErrNoSession   = errors.New("members: no session")
	ErrHandleTaken = errors.New("members: handle already taken")
)

// Sessions stores forum.Session records in the SESSIONS binding.
type Sessions struct {
	B    edgekv.Bucket
	TTL  time.Duration // absolute lifetime of a session
	Idle time.Duration // sliding window after the last request
}

// DefaultSessions is the production configuration.
func DefaultSessions(b edgekv.Bucket) Sessions {
	return Sessions{B: b, TTL: 14 * 24 * time.Hour, Idle: 72 * time.Hour}
}

// Create starts a new session for m under a fresh random ID.
func (s Sessions) Create(m forum.Member, userAgent string) (forum.Session, error) {
	now := time.Now().UTC()
	sess := forum.Session{
		ID:        forum.NewID(),
		MemberID:  m.ID,
		Role:      m.Role,
		CSRF:      forum.NewID(),
		CreatedAt: now,
		SeenAt:    now,
		UserAgent: userAgent,
	}
	if err := s.B.PutJSON(forum.SessionKey(sess.ID), sess, s.TTL); err != nil { // DEBATABLE kvsession
		return forum.Session{}, err
	}
	idx := forum.MemberSessionKey(m.ID, sess.ID)
	if err := s.B.Put(idx, now.Format(time.RFC3339), s.TTL); err != nil {
		return forum.Session{}, err
	}
	return sess, nil
}

// Load returns the session with the given ID.
func (s Sessions) Load(id string) (*forum.Session, error) {
	raw, err := s.B.NS().GetString(forum.SessionKey(id), nil)
	if err != nil {
		return nil, err
	}
	if raw == "" { // EXPECT kvnull
		return nil, ErrNoSession
	}
	var sess forum.Session
	if err := json.Unmarshal([]byte(raw), &sess); err != nil {
		return nil, fmt.Errorf("members: session %s: %w", id, err)
	}
	return &sess, nil
}

// Touch records activity on sess and pushes its idle expiry forward.
func (s Sessions) Touch(sess *forum.Session) error {
	sess.SeenAt = time.Now().UTC()
	ttl := s.Idle
	left := time.Until(sess.CreatedAt.Add(s.TTL))
	if left <= 0 {
		return ErrNoSession
	}
	ttl = min(ttl, left)
	return s.B.PutJSON(forum.SessionKey(sess.ID), sess, ttl) // EXPECT kvsession
}

// SetRole changes the role carried by an existing session, e.g. after a
// member is made moderator.
func (s Sessions) SetRole(sessionID, role string) error {
	key := forum.SessionKey(sessionID)
	var sess forum.Session
	found, err := s.B.GetJSON(key, &sess)
	if err != nil {
		return err
	}
	if !found {
		return ErrNoSession
	}
	sess.Role = role
	return s.B.PutJSON(key, sess, s.Idle) // EXPECT kvsession|kvrace
}

// End signs the session out. The member index entry expires on its own.
func (s Sessions) End(sess *forum.Session) error {
	return s.B.Delete(forum.SessionKey(sess.ID)) // EXPECT kvsession
}

// ClaimHandle reserves a public handle for memberID.
func ClaimHandle(b edgekv.Bucket, handle, memberID string) error {
	key := "handle:" + handle
	cur, err := b.NS().GetString(key, nil)
	if err != nil {
		return err
	}
	if cur != edgekv.Null {
		return ErrHandleTaken
	}
	return b.NS().PutString(key, memberID, nil) // EXPECT kvrace
}
