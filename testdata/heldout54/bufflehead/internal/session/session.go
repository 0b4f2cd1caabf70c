//go:build js && wasm

// Package session keeps dashboard sessions for senders at the edge.
package session

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"time"

	"bufflehead/internal/edgekv"
)

// CookieName is the dashboard session cookie.
const CookieName = "bh_session"

// Lifetime is how long a fresh dashboard session lasts.
const Lifetime = 12 * time.Hour

// ErrNoSession means the request carries no usable session.
var ErrNoSession = errors.New("session: none")

// Session is a signed-in sender.
type Session struct {
	ID       string    `json:"id"`
	SenderID string    `json:"sender_id"`
	Email    string    `json:"email"`
	CSRF     string    `json:"csrf"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
	Expires  time.Time `json:"expires"`
}

// Store reads and writes sessions.
type Store struct {
	ns     edgekv.Store
	keyOf  func(id string) string
	ttlFor func(*Session) time.Duration
	reader edgekv.Reader
}

// NewStore returns a store keyed under "sess:".
func NewStore(ns edgekv.Store) *Store {
	return &Store{
		ns:    ns,
		keyOf: func(id string) string { return "sess:" + id },
		ttlFor: func(s *Session) time.Duration {
			return time.Until(s.Expires) // EXPECT kvttl
		},
		reader: edgekv.Reader{G: ns},
	}
}

func randomID(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("session: entropy: %v", err))
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Create starts a new session for a sender.
func (s *Store) Create(ctx context.Context, senderID, email string) (*Session, error) {
	now := time.Now()
	sess := &Session{
		ID:       randomID(32),
		SenderID: senderID,
		Email:    email,
		CSRF:     randomID(18),
		Created:  now,
		LastSeen: now,
		Expires:  now.Add(Lifetime),
	}
	if err := s.save(ctx, sess); err != nil {
		return nil, err
	}
	return sess, nil
}

func (s *Store) save(ctx context.Context, sess *Session) error {
	ttl := s.ttlFor(sess)
	return edgekv.PutJSON(ctx, s.ns, s.keyOf(sess.ID), sess, ttl)
}

// Load fills dst with the session stored under id.
func (s *Store) Load(ctx context.Context, id string, dst *Session) error {
	if id == "" {
		return ErrNoSession
	}
	if err := s.reader.Into(ctx, s.keyOf(id), dst); err != nil {
		if errors.Is(err, edgekv.ErrNotFound) {
			return fmt.Errorf("session %s: %w", id, ErrNoSession)
		}
		return err
	}
	if time.Now().After(dst.Expires) {
		return fmt.Errorf("session %s expired: %w", id, ErrNoSession)
	}
	return nil
}

// FromRequest loads the session named by the request cookie.
func (s *Store) FromRequest(r *http.Request, dst *Session) error {
	c, err := r.Cookie(CookieName)
	if err != nil {
		return ErrNoSession
	}
	return s.Load(r.Context(), c.Value, dst)
}

// Touch records activity and slides the expiry forward.
func (s *Store) Touch(ctx context.Context, sess *Session) error {
	now := time.Now()
	if now.Sub(sess.LastSeen) < time.Minute {
		return nil
	}
	sess.LastSeen = now
	sess.Expires = now.Add(Lifetime)
	return s.save(ctx, sess) // EXPECT kvsession
}

// RotateCSRF issues a new CSRF token for the session.
func (s *Store) RotateCSRF(ctx context.Context, sess *Session) (string, error) {
	sess.CSRF = randomID(18)
	if err := s.save(ctx, sess); err != nil { // EXPECT kvsession
		return "", err
	}
	return sess.CSRF, nil
}

// Destroy removes a session.
func (s *Store) Destroy(ctx context.Context, id string) error {
	return s.ns.Delete(ctx, s.keyOf(id))
}

// Cookie returns the cookie that carries sess.
func Cookie(sess *Session) *http.Cookie {
	return &http.Cookie{
		Name:     CookieName,
		Value:    sess.ID,
		Path:     "/",
		Expires:  sess.Expires,
		HttpOnly: true,
		Secure:   true,
		SameSite: http.SameSiteLaxMode,
	}
}
