//go:build js && wasm

package edge

import (
	"crypto/rand"
	"encoding/json"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare"
)

const (
	sessionLifetime = 8 * time.Hour
	csrfTTL         = 3600
)

// Session is an operator signed in at the edge.
type Session struct {
	ID       string    `json:"id"`
	Operator string    `json:"op"`
	Expires  time.Time `json:"exp"`
}

// Sessions keeps dashboard sessions and CSRF nonces in KV.
type Sessions struct {
	Auth *Store
}

// Start creates a session for an operator verified by Access.
func (m *Sessions) Start(w http.ResponseWriter, op string) (Session, error) {
	s := Session{ID: rand.Text(), Operator: op, Expires: time.Now().Add(sessionLifetime)}
	b, _ := json.Marshal(s)
	err := m.Auth.PutString("session:"+s.ID, string(b), &cloudflare.KVNamespacePutOptions{
		ExpirationTTL: int(sessionLifetime), // EXPECT kvttl
	})
	if err != nil {
		return Session{}, err
	}
	http.SetCookie(w, &http.Cookie{Name: "sid", Value: s.ID, Expires: s.Expires, HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode, Path: "/"})
	return s, nil
}

// Require wraps a handler with session and CSRF checks; the session's
// expiry slides with activity.
func (m *Sessions) Require(next func(http.ResponseWriter, *http.Request, Session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie("sid")
		if err != nil {
			http.Error(w, "sign in", http.StatusUnauthorized)
			return
		}
		var s Session
		if err := m.Auth.GetJSON("session:"+c.Value, &s); err != nil {
			http.Error(w, "sign in", http.StatusUnauthorized)
			return
		}
		if r.Method != http.MethodGet && !m.consumeNonce(r.Header.Get("X-CSRF-Nonce")) {
			http.Error(w, "stale form", http.StatusForbidden)
			return
		}
		s.Expires = time.Now().Add(sessionLifetime)
		b, _ := json.Marshal(s)
		_ = m.Auth.PutString("session:"+s.ID, string(b), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 8 * 3600}) // EXPECT kvsession
		next(w, r, s)
	}
}

// Nonce issues a single-use CSRF nonce for a form.
func (m *Sessions) Nonce() (string, error) {
	n := rand.Text()
	return n, m.Auth.PutString("csrf:"+n, "1", &cloudflare.KVNamespacePutOptions{ExpirationTTL: csrfTTL})
}

func (m *Sessions) consumeNonce(n string) bool {
	if n == "" {
		return false
	}
	v, err := m.Auth.GetString("csrf:"+n, nil)
	if err != nil || v == missing {
		return false
	}
	return m.Auth.Delete("csrf:"+n) == nil // EXPECT kvsession
}

// End signs the operator out.
func (m *Sessions) End(w http.ResponseWriter, r *http.Request, s Session) {
	if err := m.Auth.Delete("session:" + s.ID); err != nil { // EXPECT kvsession
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "sid", Value: "", MaxAge: -1, Path: "/"})
}
