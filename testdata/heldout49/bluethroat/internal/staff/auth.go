//go:build js && wasm

// Package staff signs restaurant staff in to the host stand through the group's
// Google Workspace and guards the host endpoints.
package staff

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"net/url"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/tablekeep/bluethroat/internal/clock"
)

const (
	sessionCookie = "tk_staff"
	stateTTL      = 10 * time.Minute
	shiftSession  = 10 * time.Hour
)

// ErrUnauthenticated is returned when no valid staff session is present.
var ErrUnauthenticated = errors.New("staff: not signed in")

// Session is a signed-in staff member.
type Session struct {
	ID         string    `json:"id"`
	Email      string    `json:"email"`
	Restaurant string    `json:"restaurant"`
	Role       string    `json:"role"`
	ExpiresAt  time.Time `json:"expires_at"`
}

// Exchanger turns an OAuth code into the staff member's identity.
type Exchanger func(r *http.Request, code string) (email, restaurant, role string, err error)

// Auth holds the staff login flow.
type Auth struct {
	binding  string
	clock    clock.Clock
	authURL  string
	clientID string
	exchange Exchanger
}

// NewAuth keeps OAuth state and staff sessions in the STAFF binding.
func NewAuth(binding string, clk clock.Clock, authURL, clientID string, exchange Exchanger) *Auth {
	return &Auth{binding: binding, clock: clk, authURL: authURL, clientID: clientID, exchange: exchange}
}

// Start returns GET /staff/login.
func (a *Auth) Start() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ns, err := kv.NewNamespace(a.binding)
		if err != nil {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		state := token()
		returnTo := r.URL.Query().Get("return_to")
		if returnTo == "" {
			returnTo = "/host"
		}
		if err := ns.PutString("oauth-state:"+state, returnTo, &kv.PutOptions{ExpirationTTL: int(stateTTL.Seconds())}); err != nil {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		q := url.Values{"client_id": {a.clientID}, "state": {state}, "response_type": {"code"}, "scope": {"openid email"}}
		http.Redirect(w, r, a.authURL+"?"+q.Encode(), http.StatusFound)
	}
}

// Callback returns GET /staff/callback.
func (a *Auth) Callback() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ns, err := kv.NewNamespace(a.binding)
		if err != nil {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		state := r.URL.Query().Get("state")
		returnTo, err := ns.GetString("oauth-state:"+state, nil)
		if err != nil || returnTo == "<null>" {
			http.Error(w, "login expired, try again", http.StatusBadRequest)
			return
		}
		if err := ns.Delete("oauth-state:" + state); err != nil { // EXPECT kvsession
			log.Printf("staff: drop state: %v", err)
		}
		email, restaurant, role, err := a.exchange(r, r.URL.Query().Get("code"))
		if err != nil {
			http.Error(w, "login failed", http.StatusUnauthorized)
			return
		}
		now := a.clock.Now()
		sess := Session{ID: token(), Email: email, Restaurant: restaurant, Role: role, ExpiresAt: now.Add(shiftSession)}
		body, _ := json.Marshal(sess)
		if err := ns.PutString("staff-sess:"+sess.ID, string(body), &kv.PutOptions{ExpirationTTL: int(shiftSession.Seconds())}); err != nil {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		if err := ns.PutString("csrf:"+sess.ID, token(), &kv.PutOptions{ExpirationTTL: int(shiftSession.Seconds())}); err != nil { // DEBATABLE kvsession
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sess.ID, Path: "/", HttpOnly: true, Secure: true, Expires: sess.ExpiresAt})
		http.Redirect(w, r, returnTo, http.StatusFound)
	}
}

// Lookup returns the staff session for the request.
func (a *Auth) Lookup(r *http.Request) (*Session, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, ErrUnauthenticated
	}
	ns, err := kv.NewNamespace(a.binding)
	if err != nil {
		return nil, err
	}
	revoked, err := ns.GetString("revoked:"+c.Value, &kv.GetOptions{CacheTTL: 60})
	if err != nil {
		return nil, err
	}
	if revoked != "<null>" {
		return nil, ErrUnauthenticated
	}
	raw, err := ns.GetString("staff-sess:"+c.Value, nil) // EXPECT kvnull
	if err != nil {
		return nil, err
	}
	var s Session
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return nil, ErrUnauthenticated
	}
	if a.clock.Now().After(s.ExpiresAt) {
		return nil, ErrUnauthenticated
	}
	return &s, nil
}

// Require wraps a host handler with a staff session check.
func (a *Auth) Require(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if _, err := a.Lookup(r); err != nil {
			http.Error(w, "staff login required", http.StatusUnauthorized)
			return
		}
		h(w, r)
	}
}

// Logout returns POST /staff/logout. The session ID goes on the revocation list
// until the session would have expired anyway.
func (a *Auth) Logout() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, err := a.Lookup(r)
		if err != nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		ns, err := kv.NewNamespace(a.binding)
		if err != nil {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		if err := ns.PutString("revoked:"+s.ID, s.Email, &kv.PutOptions{Expiration: int(s.ExpiresAt.Add(time.Hour).Unix())}); err != nil { // EXPECT kvsession
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1})
		w.WriteHeader(http.StatusNoContent)
	}
}

func token() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
