//go:build js && wasm

package auth

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/quillhaus/turnstone/internal/config"
	"github.com/quillhaus/turnstone/internal/kvstore"
)

const CookieName = "ts_session"

var (
	ErrInvalidLink = errors.New("auth: link is invalid or expired")
	ErrNoSession   = errors.New("auth: not signed in")
)

type magicLink struct {
	Email     string    `json:"email"`
	Next      string    `json:"next,omitempty"`
	ExpiresAt time.Time `json:"exp"`
}

// Service issues magic links and manages sessions in the SESSIONS namespace.
type Service struct {
	sessions kvstore.Typed[Session]
	store    kvstore.Full
	links    kvstore.Full
}

func New(ns *kvstore.Namespace, m *kvstore.Metrics) *Service {
	store := kvstore.Stack(ns, kvstore.WithMetrics(m))
	return &Service{
		sessions: kvstore.Typed[Session]{S: store, C: sessionCodec{}},
		store:    store,
		links:    kvstore.Stack(ns, kvstore.WithPrefix("magic:"), kvstore.WithMetrics(m)),
	}
}

func sessionKey(userHash, id string) kvstore.Key {
	return kvstore.Key("sess").Child(userHash).Child(id)
}

// RequestLink stores a new sign-in link for email and returns its token.
func (s *Service) RequestLink(email, next string) (string, error) {
	tok := newID()
	raw, _ := json.Marshal(magicLink{Email: email, Next: next, ExpiresAt: time.Now().Add(config.MagicLinkTTL)})
	return tok, s.links.Put(kvstore.Key(tok), string(raw), config.MagicLinkTTL)
}

// Redeem consumes a sign-in link and starts a session.
func (s *Service) Redeem(tok string) (Session, string, error) {
	raw, err := s.links.Get(kvstore.Key(tok))
	if errors.Is(err, kvstore.ErrNotFound) {
		return Session{}, "", ErrInvalidLink
	} else if err != nil {
		return Session{}, "", err
	}
	var link magicLink
	if err := json.Unmarshal([]byte(raw), &link); err != nil || time.Now().After(link.ExpiresAt) {
		return Session{}, "", ErrInvalidLink
	}
	if err := s.links.Delete(kvstore.Key(tok)); err != nil { // EXPECT kvsession
		return Session{}, "", err
	}
	now := time.Now()
	sess := Session{ID: newID(), UserHash: UserHash(link.Email), Email: link.Email,
		CreatedAt: now, ExpiresAt: now.Add(config.SessionTTL), LastSeen: now}
	err = s.sessions.Save(sessionKey(sess.UserHash, sess.ID), sess, config.SessionTTL) // DEBATABLE kvsession
	return sess, link.Next, err
}

// Current returns the session named by the request's cookie, extending it
// when less than a quarter of its lifetime is left.
func (s *Service) Current(r *http.Request) (Session, error) {
	c, err := r.Cookie(CookieName)
	if err != nil {
		return Session{}, ErrNoSession
	}
	uh, id, _ := strings.Cut(c.Value, ".")
	k := sessionKey(uh, id)
	sess, err := s.sessions.Load(k)
	if errors.Is(err, kvstore.ErrNotFound) || (err == nil && time.Now().After(sess.ExpiresAt)) {
		return Session{}, ErrNoSession
	} else if err != nil {
		return Session{}, err
	}
	if revoked, err := s.store.Get(kvstore.Key("revoked").Child(uh)); err == nil {
		if t, _ := time.Parse(time.RFC3339, revoked); sess.CreatedAt.Before(t) {
			return Session{}, ErrNoSession
		}
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return Session{}, err
	}
	if time.Until(sess.ExpiresAt) < config.SessionTTL/4 {
		sess.ExpiresAt = time.Now().Add(config.SessionTTL)
		if err := s.sessions.Save(k, sess, config.SessionTTL); err != nil { // EXPECT kvsession
			return Session{}, err
		}
	}
	return sess, nil
}

// Touch records the reader's latest page for the "continue reading" link.
func (s *Service) Touch(sess Session, path string) error {
	sess.LastSeen, sess.LastPath = time.Now(), path
	ttl := max(sess.ExpiresAt.Sub(sess.LastSeen), time.Minute)
	return s.sessions.Save(sessionKey(sess.UserHash, sess.ID), sess, ttl) // EXPECT kvsession
}

// Logout ends the current session.
func (s *Service) Logout(sess Session) error {
	return s.store.Delete(sessionKey(sess.UserHash, sess.ID)) // EXPECT kvsession
}

// LogoutEverywhere invalidates every session of the reader created before now.
func (s *Service) LogoutEverywhere(sess Session) error {
	stamp := time.Now().UTC().Format(time.RFC3339)
	return s.store.Put(kvstore.Key("revoked").Child(sess.UserHash), stamp, config.SessionTTL) // EXPECT kvsession
}
