//go:build js && wasm

package auth

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/kestrel/internal/keys"
)

// ErrNoSession means the session does not exist or went idle.
var ErrNoSession = errors.New("auth: no session")

// Session is a signed-in dashboard session.
type Session struct {
	ID       string    `json:"id"`
	UserID   string    `json:"user_id"`
	Org      string    `json:"org"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
}

// Sessions stores dashboard sessions in the edge namespace. ttl bounds a
// session's total life, idle the gap between requests.
type Sessions struct {
	ns        *kv.Namespace
	ttl, idle time.Duration
}

// NewSessions returns a session store.
func NewSessions(ns *kv.Namespace, ttl, idle time.Duration) *Sessions {
	return &Sessions{ns: ns, ttl: ttl, idle: idle}
}

func sessionKey(id string) string { return "sess/" + id }

// Create starts a session under a fresh random ID.
func (s *Sessions) Create(userID, org string) (Session, error) {
	now := time.Now().UTC()
	sess := Session{ID: keys.Token(24), UserID: userID, Org: org, Created: now, LastSeen: now}
	body, err := json.Marshal(sess)
	if err != nil {
		return Session{}, err
	}
	err = s.ns.PutString(sessionKey(sess.ID), string(body), &kv.PutOptions{ExpirationTTL: int(s.ttl.Seconds())})
	return sess, err
}

// Lookup returns a live session.
func (s *Sessions) Lookup(id string) (Session, error) {
	raw, err := s.ns.GetString(sessionKey(id), nil)
	if err != nil {
		return Session{}, err
	}
	if raw == "<null>" {
		return Session{}, ErrNoSession
	}
	var sess Session
	if err := json.Unmarshal([]byte(raw), &sess); err != nil {
		return Session{}, err
	}
	if time.Since(sess.LastSeen) > s.idle || time.Since(sess.Created) > s.ttl {
		return Session{}, ErrNoSession
	}
	return sess, nil
}

// Touch records activity so an active session does not go idle.
func (s *Sessions) Touch(sess Session) error {
	sess.LastSeen = time.Now().UTC()
	body, err := json.Marshal(sess)
	if err != nil {
		return err
	}
	opts := &kv.PutOptions{
		ExpirationTTL: int(s.idle.Milliseconds()), // EXPECT kvttl
	}
	return s.ns.PutString(sessionKey(sess.ID), string(body), opts) // EXPECT kvsession
}

// Middleware requires a live session cookie and keeps it alive.
func (s *Sessions) Middleware(cookie string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(cookie)
		if err != nil {
			http.Error(w, "sign in required", http.StatusUnauthorized)
			return
		}
		sess, err := s.Lookup(c.Value)
		if err != nil {
			http.Error(w, "session expired", http.StatusUnauthorized)
			return
		}
		if err := s.Touch(sess); err != nil {
			slog.Warn("session touch failed", "user", sess.UserID, "err", err)
		}
		r.Header.Set("X-Kestrel-User", sess.UserID)
		next.ServeHTTP(w, r)
	})
}

// Logout ends the current session and clears the cookie.
func (s *Sessions) Logout(cookie string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if c, err := r.Cookie(cookie); err == nil {
			if err := s.ns.Delete(sessionKey(c.Value)); err != nil { // EXPECT kvsession
				http.Error(w, "logout failed", http.StatusBadGateway)
				return
			}
		}
		http.SetCookie(w, &http.Cookie{Name: cookie, Path: "/", MaxAge: -1, HttpOnly: true, Secure: true})
		w.WriteHeader(http.StatusNoContent)
	}
}
