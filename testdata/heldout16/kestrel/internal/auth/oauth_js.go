//go:build js && wasm

package auth

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/kestrel/internal/keys"
)

const githubAuthorize = "https://github.com/login/oauth/authorize"

// OAuth signs users in with GitHub.
type OAuth struct {
	ns       *kv.Namespace
	sessions *Sessions
	clientID string
	cookie   string
	// Exchange trades the callback code for a GitHub user and org.
	Exchange func(ctx context.Context, code string) (userID, org string, err error)
}

// NewOAuth returns the GitHub login handlers.
func NewOAuth(ns *kv.Namespace, sessions *Sessions, clientID, cookie string) *OAuth {
	return &OAuth{ns: ns, sessions: sessions, clientID: clientID, cookie: cookie}
}

func stateKey(state string) string { return "oauth/state/" + state }

// Begin redirects to GitHub with a fresh state value.
func (o *OAuth) Begin(w http.ResponseWriter, r *http.Request) {
	state := keys.Token(16)
	next := r.URL.Query().Get("next")
	if next == "" {
		next = "/"
	}
	err := o.ns.PutString(stateKey(state), next, &kv.PutOptions{
		Expiration: int(time.Now().Add(30 * time.Second).Unix()), // EXPECT kvttl
	})
	if err != nil {
		http.Error(w, "login unavailable", http.StatusServiceUnavailable)
		return
	}
	q := url.Values{"client_id": {o.clientID}, "state": {state}, "scope": {"read:org"}}
	http.Redirect(w, r, githubAuthorize+"?"+q.Encode(), http.StatusFound)
}

// Callback completes the login.
func (o *OAuth) Callback(w http.ResponseWriter, r *http.Request) {
	state := r.URL.Query().Get("state")
	next, err := o.ns.GetString(stateKey(state), nil)
	if err != nil {
		http.Error(w, "login unavailable", http.StatusServiceUnavailable)
		return
	}
	if next == "" { // EXPECT kvnull
		http.Error(w, "unknown login state", http.StatusBadRequest)
		return
	}
	if err := o.ns.Delete(stateKey(state)); err != nil { // EXPECT kvsession
		http.Error(w, "login unavailable", http.StatusServiceUnavailable)
		return
	}
	userID, org, err := o.Exchange(r.Context(), r.URL.Query().Get("code"))
	if err != nil {
		http.Error(w, "github login failed", http.StatusBadGateway)
		return
	}
	sess, err := o.sessions.Create(userID, org)
	if err != nil {
		http.Error(w, "could not start session", http.StatusServiceUnavailable)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: o.cookie, Value: sess.ID, Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, next, http.StatusFound)
}
