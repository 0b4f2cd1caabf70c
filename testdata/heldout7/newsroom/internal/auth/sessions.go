// Package auth handles editor sign-in, sessions and CSRF tokens.
package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"time"

	"example.com/newsroom/internal/repo"
	"example.com/newsroom/internal/store"
)

// Session is an editor's signed-in state.
type Session struct {
	ID        string    `json:"id"`
	EditorID  string    `json:"editor_id"`
	Email     string    `json:"email"`
	Role      string    `json:"role"`
	Desk      string    `json:"desk"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// ErrNoSession means the cookie does not name a live session.
var ErrNoSession = errors.New("auth: no session")

// Sessions stores sessions in KV keyed by a random id.
type Sessions struct {
	repo *repo.Repo[Session]
	ttl  time.Duration
	now  func() time.Time
}

// NewSessions returns a session store whose entries live for ttl.
func NewSessions(st store.Store, ttl time.Duration) *Sessions {
	return &Sessions{
		repo: repo.New[Session](st, "session:", repo.WithTTL(ttl)),
		ttl:  ttl,
		now:  time.Now,
	}
}

// NewID returns 32 random bytes, URL-safe encoded.
func NewID() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Create starts a session for the editor.
func (s *Sessions) Create(ctx context.Context, editorID, email, role string) (Session, error) {
	now := s.now()
	sess := Session{
		ID:        NewID(),
		EditorID:  editorID,
		Email:     email,
		Role:      role,
		CreatedAt: now,
		ExpiresAt: now.Add(s.ttl),
	}
	if err := s.repo.Save(ctx, sess.ID, sess); err != nil {
		return Session{}, err
	}
	return sess, nil
}

// Lookup returns the live session with id.
func (s *Sessions) Lookup(ctx context.Context, id string) (Session, error) {
	sess, err := s.repo.Get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return Session{}, ErrNoSession
	}
	if err != nil {
		return Session{}, err
	}
	if s.now().After(sess.ExpiresAt) {
		return Session{}, ErrNoSession
	}
	return sess, nil
}

// Touch pushes the expiry out so active editors are not signed out mid-story.
func (s *Sessions) Touch(ctx context.Context, sess Session) error {
	sess.ExpiresAt = s.now().Add(s.ttl)
	return s.repo.Save(ctx, sess.ID, sess) // EXPECT kvsession
}

// SwitchDesk moves the editor's session to another desk (world, politics...).
func (s *Sessions) SwitchDesk(ctx context.Context, id, desk string) error {
	sess, err := s.Lookup(ctx, id)
	if err != nil {
		return err
	}
	sess.Desk = desk
	return s.repo.Save(ctx, id, sess) // EXPECT kvsession
}

// Revoke ends a session.
func (s *Sessions) Revoke(ctx context.Context, id string) error {
	return s.repo.Delete(ctx, id) // EXPECT kvsession
}
