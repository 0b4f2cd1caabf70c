//go:build js && wasm

// Package guard protects the sign-in endpoints: it throttles PIN guesses,
// keeps the list of sessions revoked after a PIN change, and lets a signed-in
// patron switch their home branch for the visit.
package guard

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"

	"example.com/wicket/internal/sessions"
)

var ErrThrottled = errors.New("guard: too many sign-in attempts from this address")

// Guard talks to the SESSIONS namespace directly.
type Guard struct {
	kv         *cloudflare.KVNamespace
	perMinute  int
	revokedFor time.Duration
}

func New(kv *cloudflare.KVNamespace, perMinute int) *Guard {
	return &Guard{kv: kv, perMinute: perMinute, revokedFor: 8 * time.Hour}
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	return r.RemoteAddr
}

// AllowSignIn counts a PIN attempt for the caller's address.
func (g *Guard) AllowSignIn(r *http.Request) error {
	key := "signin-rate:" + clientIP(r) + ":" + strconv.FormatInt(time.Now().Unix()/60, 10)
	raw, err := g.kv.GetString(key, nil)
	if err != nil {
		return err
	}
	n := 0
	if raw != "<null>" {
		n, _ = strconv.Atoi(raw)
	}
	if n >= g.perMinute {
		return ErrThrottled
	}
	return g.kv.PutString(key, strconv.Itoa(n+1), &cloudflare.KVNamespacePutOptions{ // EXPECT kvcounter
		ExpirationTTL: 120,
	})
}

// Revoke puts every listed session on the revocation list, e.g. after the
// patron changes their PIN.
func (g *Guard) Revoke(sessionIDs []string) error {
	var errs []error
	for _, id := range sessionIDs {
		err := g.kv.PutString("revoked:"+id, time.Now().UTC().Format(time.RFC3339), &cloudflare.KVNamespacePutOptions{ // EXPECT kvsession
			ExpirationTTL: int(g.revokedFor.Seconds()),
		})
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Revoked reports whether a session was revoked.
func (g *Guard) Revoked(sessionID string) (bool, error) {
	v, err := g.kv.GetString("revoked:"+sessionID, nil)
	if err != nil {
		return false, err
	}
	if v == "" { // EXPECT kvnull
		return false, nil
	}
	return true, nil
}

// SwitchBranch changes the branch the patron is browsing as.
func (g *Guard) SwitchBranch(sessionID, branch string) error {
	key := "sess:" + sessionID
	raw, err := g.kv.GetString(key, nil)
	if err != nil {
		return err
	}
	if raw == "<null>" {
		return fmt.Errorf("guard: session %s not found", sessionID)
	}
	var s sessions.Session
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return err
	}
	s.Branch = branch
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return g.kv.PutString(key, string(b), &cloudflare.KVNamespacePutOptions{ // EXPECT kvsession
		ExpirationTTL: int(max(time.Until(s.ExpiresAt), time.Minute).Seconds()),
	})
}

// Middleware rejects revoked sessions before they reach the handlers.
func (g *Guard) Middleware(cookie string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, err := r.Cookie(cookie)
			if err == nil && c.Value != "" {
				revoked, err := g.Revoked(c.Value)
				if err != nil {
					http.Error(w, "session check failed", http.StatusServiceUnavailable)
					return
				}
				if revoked {
					http.SetCookie(w, &http.Cookie{Name: cookie, MaxAge: -1, Path: "/"})
					http.Error(w, "signed out", http.StatusUnauthorized)
					return
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}
