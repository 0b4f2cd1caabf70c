//go:build js && wasm

package edge

import (
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/syumai/workers/cloudflare"
)

const (
	sessionCookie = "rf_preview_session"
	sessionTTL    = 8 * time.Hour
	idleTimeout   = 30 * time.Minute
)

// previewSession is a browser session for one or more preview environments.
type previewSession struct {
	ID       string    `json:"id"`
	User     string    `json:"user"`
	Envs     []string  `json:"envs"`
	Pinned   []string  `json:"pinned,omitempty"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
}

func sessionKey(id string) string { return "session:" + id }

// SessionManager creates and checks preview sessions.
type SessionManager struct{}

// Create starts a session for user with access to envs.
func (m *SessionManager) Create(w http.ResponseWriter, ns *namespaces, user string, envs []string) error {
	now := time.Now().UTC()
	s := previewSession{ID: randomID(24), User: user, Envs: envs, Created: now, LastSeen: now}
	raw, err := json.Marshal(s)
	if err != nil {
		return err
	}
	if err := ns.sessions.PutString(sessionKey(s.ID), string(raw), &cloudflare.KVNamespacePutOptions{
		ExpirationTTL: int(sessionTTL.Seconds()),
	}); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: s.ID, Path: "/", HttpOnly: true, Secure: true,
		SameSite: http.SameSiteLaxMode, MaxAge: int(sessionTTL.Seconds()),
	})
	return nil
}

// Authorize checks the request's session for env, redirecting to sign-in
// when there is none. Active sessions are kept alive while they are used.
func (m *SessionManager) Authorize(w http.ResponseWriter, r *http.Request, ns *namespaces, env string) (*previewSession, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		http.Redirect(w, r, "/_rosefinch/signin?next="+r.URL.Path, http.StatusFound)
		return nil, false
	}
	raw, err := ns.sessions.GetString(sessionKey(c.Value), nil) // EXPECT kvnull
	if err != nil {
		http.Error(w, "session store unavailable", http.StatusServiceUnavailable)
		return nil, false
	}
	var s previewSession
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		http.Error(w, "corrupt session", http.StatusInternalServerError)
		return nil, false
	}
	if time.Since(s.LastSeen) > idleTimeout || !slices.Contains(s.Envs, env) {
		http.Redirect(w, r, "/_rosefinch/signin?next="+r.URL.Path, http.StatusFound)
		return nil, false
	}
	s.LastSeen = time.Now().UTC()
	if updated, err := json.Marshal(s); err == nil {
		_ = ns.sessions.PutString(sessionKey(s.ID), string(updated), &cloudflare.KVNamespacePutOptions{ // EXPECT kvsession|kvrace
			ExpirationTTL: int(sessionTTL.Seconds()),
		})
	}
	return &s, true
}

// Pin adds env to the session's pinned environments (shown in the toolbar).
func (m *SessionManager) Pin(w http.ResponseWriter, r *http.Request, ns *namespaces) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		http.Error(w, "no session", http.StatusUnauthorized)
		return
	}
	raw, err := ns.sessions.GetString(sessionKey(c.Value), nil)
	if err != nil || raw == kvNull {
		http.Error(w, "no session", http.StatusUnauthorized)
		return
	}
	var s previewSession
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		http.Error(w, "corrupt session", http.StatusInternalServerError)
		return
	}
	env := r.URL.Query().Get("env")
	if !slices.Contains(s.Pinned, env) {
		s.Pinned = append(s.Pinned, env)
	}
	updated, _ := json.Marshal(s)
	remaining := int(time.Until(s.Created.Add(sessionTTL)).Seconds())
	if err := ns.sessions.PutString(sessionKey(s.ID), string(updated), &cloudflare.KVNamespacePutOptions{ // EXPECT kvsession|kvrace
		ExpirationTTL: max(remaining, 60),
	}); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Logout ends the session.
func (m *SessionManager) Logout(w http.ResponseWriter, r *http.Request, ns *namespaces) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		_ = ns.sessions.Delete(sessionKey(c.Value)) // EXPECT kvsession
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1})
	http.Redirect(w, r, "/", http.StatusFound)
}
