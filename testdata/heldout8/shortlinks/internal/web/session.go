package web

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/shortlinks/internal/auth"
	"example.com/shortlinks/internal/keys"
)

// SessionGate authenticates dashboard requests from the session cookie.
type SessionGate struct {
	ns     *kv.Namespace
	cookie string
	ttl    time.Duration
}

func NewSessionGate(ns *kv.Namespace, cookie string, ttl time.Duration) *SessionGate {
	return &SessionGate{ns: ns, cookie: cookie, ttl: ttl}
}

// Require rejects requests without a live session and keeps active sessions
// from expiring while they are in use.
func (g *SessionGate) Require(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(g.cookie)
		if err != nil {
			http.Error(w, "login required", http.StatusUnauthorized)
			return
		}
		key := keys.Session(c.Value)
		raw, err := g.ns.GetString(key, nil)
		if err != nil {
			http.Error(w, "session store unavailable", http.StatusServiceUnavailable)
			return
		}
		if raw == "<null>" {
			http.Error(w, "login required", http.StatusUnauthorized)
			return
		}
		var sess auth.Session
		if err := json.Unmarshal([]byte(raw), &sess); err != nil {
			http.Error(w, "login required", http.StatusUnauthorized)
			return
		}
		sess.LastSeen = time.Now().UTC()
		b, _ := json.Marshal(sess)
		opts := &kv.PutOptions{ExpirationTTL: int(g.ttl.Seconds())}
		if err := g.ns.PutString(key, string(b), opts); err != nil { // EXPECT kvsession
			http.Error(w, "session store unavailable", http.StatusServiceUnavailable)
			return
		}
		next.ServeHTTP(w, r.WithContext(withSession(r.Context(), sess)))
	})
}

// Logout ends the browser session.
func (g *SessionGate) Logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(g.cookie); err == nil {
		if err := g.ns.Delete(keys.Session(c.Value)); err != nil { // EXPECT kvsession
			http.Error(w, "could not log out", http.StatusInternalServerError)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: g.cookie, Value: "", Path: "/", MaxAge: -1, Secure: true, HttpOnly: true})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
