// Package vercelkv is shared by the Vercel functions under api/. Each
// function file is compiled into its own lambda, so the client is created on
// the first request an instance serves and reused while it stays warm.
package vercelkv

import (
	"crypto/rand"
	"net/http"
	"sync"
	"time"

	"github.com/ruru-fm/ruru/internal/config"
	"github.com/ruru-fm/ruru/internal/kvclient"
)

var (
	mu       sync.Mutex
	client   *kvclient.Store
	settings config.Settings
)

// Store returns the instance's KV store, creating it on first use.
func Store() (*kvclient.Store, config.Settings, error) {
	mu.Lock()
	defer mu.Unlock()
	if client != nil {
		return client, settings, nil
	}
	s := config.FromEnv()
	st, err := kvclient.FromSettings(s)
	if err != nil {
		return nil, s, err
	}
	client, settings = st, s
	return client, settings, nil
}

// SessionCookie is the web player's session cookie name.
const SessionCookie = "ruru_sid"

// NewID returns a fresh unguessable identifier for sessions and codes.
func NewID() string { return rand.Text() }

// SetSession writes the session cookie.
func SetSession(w http.ResponseWriter, id string, ttl time.Duration) {
	http.SetCookie(w, &http.Cookie{
		Name:     SessionCookie,
		Value:    id,
		Path:     "/",
		MaxAge:   int(ttl.Seconds()),
		HttpOnly: true,
		Secure:   true,
		SameSite: http.SameSiteLaxMode,
	})
}

// ClearSession expires the session cookie.
func ClearSession(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1})
}

// SessionID reads the session cookie, if any.
func SessionID(r *http.Request) string {
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return ""
	}
	return c.Value
}
