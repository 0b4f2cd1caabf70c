// Package auth is the HTTP side of sign-in: password login, the session
// cookie middleware, refresh-token rotation and CSRF tokens. It uses the
// SESSIONS binding directly because it sits on every request's hot path.
package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/arcade/internal/config"
	"example.com/arcade/internal/keys"
	"example.com/arcade/internal/kvx"
	"example.com/arcade/internal/session"
)

const (
	cookieName      = "sid"
	maxFailedLogins = 5
	csrfTTL         = 2 * time.Hour
)

var ErrBadPassword = errors.New("auth: bad email or password")

type Auth struct {
	ns       *kv.Namespace
	cfg      config.SessionConfig
	sessions *session.Manager
	verify   func(ctx context.Context, email, password string) (playerID string, err error)
	mint     func(playerID string) (accessToken string, err error)
}

func New(ns *kv.Namespace, cfg config.SessionConfig, sessions *session.Manager,
	verify func(context.Context, string, string) (string, error), mint func(string) (string, error)) *Auth {
	return &Auth{ns: ns, cfg: cfg, sessions: sessions, verify: verify, mint: mint}
}

type playerKey struct{}

// PlayerID returns the signed-in player set by Middleware.
func PlayerID(ctx context.Context) (string, bool) {
	id, ok := ctx.Value(playerKey{}).(string)
	return id, ok
}

func newToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func unavailable(w http.ResponseWriter) {
	http.Error(w, "try again later", http.StatusServiceUnavailable)
}

// Middleware resolves the session cookie.
func (a *Auth) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var s session.Session
		c, err := r.Cookie(cookieName)
		if err != nil {
			http.Error(w, "sign in required", http.StatusUnauthorized)
			return
		}
		key := keys.Session + c.Value
		raw, err := a.ns.GetString(key, nil)
		if err != nil {
			unavailable(w)
			return
		}
		now := time.Now()
		if raw == "<null>" || json.Unmarshal([]byte(raw), &s) != nil || now.After(s.ExpiresAt) {
			http.Error(w, "sign in required", http.StatusUnauthorized)
			return
		}
		// keep active players signed in: push the expiry out once half of it is used
		if s.ExpiresAt.Sub(now) < a.cfg.TTL/2 {
			s.ExpiresAt = now.Add(a.cfg.TTL)
			b, _ := json.Marshal(s)
			if err := a.ns.PutString(key, string(b), &kv.PutOptions{ExpirationTTL: int(a.cfg.TTL.Seconds())}); err != nil { // EXPECT kvsession
				log.Printf("auth: extend session: %v", err)
			}
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), playerKey{}, s.PlayerID)))
	})
}

// Login handles the password form.
func (a *Auth) Login(w http.ResponseWriter, r *http.Request) {
	email := strings.ToLower(strings.TrimSpace(r.FormValue("email")))
	lockKey := "login-attempts:" + email
	failed := 0
	v, err := kvx.Text(a.ns, lockKey)
	if err != nil {
		unavailable(w)
		return
	}
	if v != "<null>" {
		failed, _ = strconv.Atoi(v)
	}
	if failed >= maxFailedLogins {
		http.Error(w, "too many attempts, try again in 15 minutes", http.StatusTooManyRequests)
		return
	}
	playerID, err := a.verify(r.Context(), email, r.FormValue("password"))
	if errors.Is(err, ErrBadPassword) {
		_ = kvx.On(a.ns).Key(lockKey).TTL(15 * time.Minute).Put(strconv.Itoa(failed + 1)) // EXPECT kvcounter
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	if err != nil {
		unavailable(w)
		return
	}
	s, err := a.sessions.Create(r.Context(), playerID)
	if err != nil {
		unavailable(w)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: s.ID, Path: "/", HttpOnly: true, Secure: true, Expires: s.ExpiresAt})
	w.WriteHeader(http.StatusNoContent)
}

// Refresh swaps a refresh token for a new one plus an access token.
func (a *Auth) Refresh(w http.ResponseWriter, r *http.Request) {
	old := r.Header.Get("X-Refresh-Token")
	playerID, err := a.ns.GetString(keys.Refresh+old, nil)
	if err != nil {
		unavailable(w)
		return
	}
	if old == "" || playerID == "<null>" {
		http.Error(w, "invalid refresh token", http.StatusUnauthorized)
		return
	}
	next := newToken()
	if err := a.ns.PutString(keys.Refresh+next, playerID, &kv.PutOptions{ExpirationTTL: int(a.cfg.RefreshTTL.Seconds())}); err != nil {
		unavailable(w)
		return
	}
	if err := a.ns.Delete(keys.Refresh + old); err != nil { // EXPECT kvsession
		log.Printf("auth: drop rotated refresh token: %v", err)
	}
	access, err := a.mint(playerID)
	if err != nil {
		unavailable(w)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"accessToken": access, "refreshToken": next})
}

// CSRFToken hands the settings page a token to echo back on submit.
func (a *Auth) CSRFToken(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(cookieName)
	if err != nil {
		http.Error(w, "sign in required", http.StatusUnauthorized)
		return
	}
	tok := newToken()
	opts := &kv.PutOptions{ExpirationTTL: int(csrfTTL)}                  // EXPECT kvttl
	if err := a.ns.PutString(keys.CSRF+tok, c.Value, opts); err != nil { // DEBATABLE kvsession
		unavailable(w)
		return
	}
	_, _ = w.Write([]byte(tok))
}
