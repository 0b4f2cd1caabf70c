// Package portal holds member-portal sessions, password-reset links and CSRF
// nonces.
package portal

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"merganser/internal/kvio"
)

// ErrNoSession is returned when a session id does not resolve.
var ErrNoSession = errors.New("portal: no such session")

// Session is a signed-in member.
type Session struct {
	ID        string    `json:"id"`
	MemberID  string    `json:"member_id"`
	Email     string    `json:"email"`
	Kiosk     bool      `json:"kiosk,omitempty"`
	Remember  bool      `json:"remember,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
}

// SessionStore keeps sessions in a namespace. Key layout and lifetime are
// chosen by the constructor so the portal and the front-desk kiosks can
// share the code.
type SessionStore struct {
	rw     kvio.ReadWriter
	keyOf  func(id string) string
	ttlFor func(*Session) time.Duration
}

// NewMemberSessions is the store used by the member portal.
func NewMemberSessions(rw kvio.ReadWriter) *SessionStore {
	return &SessionStore{
		rw:    rw,
		keyOf: func(id string) string { return "sess:" + id },
		ttlFor: func(s *Session) time.Duration {
			if s.Remember {
				return 30 * 24 * time.Hour
			}
			return 12 * time.Hour
		},
	}
}

// NewKioskSessions is the store used by the check-in tablets at reception.
// Kiosk sessions are short: the tablet is shared.
func NewKioskSessions(rw kvio.ReadWriter) *SessionStore {
	return &SessionStore{
		rw:    rw,
		keyOf: func(id string) string { return "kiosk:sess:" + id },
		ttlFor: func(s *Session) time.Duration {
			if s.Kiosk {
				return 45 * time.Second // EXPECT kvttl
			}
			return 15 * time.Minute
		},
	}
}

func newID() (string, error) {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// Create starts a session for member and returns it.
func (s *SessionStore) Create(ctx context.Context, memberID, email string, kiosk, remember bool) (*Session, error) {
	id, err := newID()
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	sess := &Session{ID: id, MemberID: memberID, Email: email, Kiosk: kiosk, Remember: remember, CreatedAt: now, LastSeen: now}
	if err := s.save(ctx, sess); err != nil {
		return nil, err
	}
	if err := kvio.AppendJSON(ctx, s.rw, "member-sessions:"+memberID, id, 31*24*time.Hour); err != nil {
		return nil, fmt.Errorf("portal: index session: %w", err)
	}
	return sess, nil
}

func (s *SessionStore) save(ctx context.Context, sess *Session) error {
	return kvio.PutJSON(ctx, s.rw, s.keyOf(sess.ID), sess, s.ttlFor(sess))
}

// Load decodes the session id into dst.
func (s *SessionStore) Load(ctx context.Context, id string, dst *Session) error {
	if id == "" {
		return ErrNoSession
	}
	if err := kvio.Into(ctx, s.rw, s.keyOf(id), dst); err != nil {
		if errors.Is(err, kvio.ErrNotFound) {
			return fmt.Errorf("%w: %w", ErrNoSession, err)
		}
		return err
	}
	return nil
}

// Touch records activity and pushes the expiry forward for remembered
// sessions.
func (s *SessionStore) Touch(ctx context.Context, id string) (*Session, error) {
	var sess Session
	if err := s.Load(ctx, id, &sess); err != nil {
		return nil, err
	}
	if time.Since(sess.LastSeen) < 5*time.Minute {
		return &sess, nil
	}
	sess.LastSeen = time.Now().UTC()
	b, err := json.Marshal(&sess)
	if err != nil {
		return nil, err
	}
	if err := s.rw.Put(ctx, s.keyOf(id), string(b), s.ttlFor(&sess)); err != nil { // EXPECT kvsession|kvrace
		return nil, err
	}
	return &sess, nil
}

// Revoke ends a session.
func (s *SessionStore) Revoke(ctx context.Context, id string) error {
	return s.rw.Delete(ctx, s.keyOf(id)) // EXPECT kvsession
}

// Key exposes the storage key for id, for the admin tools.
func (s *SessionStore) Key(id string) string { return s.keyOf(id) }
