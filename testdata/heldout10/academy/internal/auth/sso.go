package auth

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"example.com/academy/internal/kvstore"
)

// SSO starts the OAuth login for organisations that use their own
// identity provider. The state parameter maps back to the page the learner
// came from.
type SSO struct {
	store        kvstore.Store
	authorizeURL string
	clientID     string
}

func NewSSO(store kvstore.Store, authorizeURL, clientID string) *SSO {
	return &SSO{store: store, authorizeURL: authorizeURL, clientID: clientID}
}

func (o *SSO) Begin(w http.ResponseWriter, r *http.Request) {
	state, err := randomID()
	if err != nil {
		http.Error(w, "try again", http.StatusInternalServerError)
		return
	}
	next := r.URL.Query().Get("next")
	if err := o.store.Put(r.Context(), "oauth-state:"+state, []byte(next), kvstore.WithTTL(10*time.Minute)); err != nil { // DEBATABLE kvsession
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	q := url.Values{"client_id": {o.clientID}, "state": {state}, "response_type": {"code"}}
	http.Redirect(w, r, o.authorizeURL+"?"+q.Encode(), http.StatusFound)
}

// Callback validates the state and returns the learner to where they were.
func (o *SSO) Callback(w http.ResponseWriter, r *http.Request) {
	next, err := o.store.Get(r.Context(), "oauth-state:"+r.URL.Query().Get("state"))
	if err != nil {
		http.Error(w, "login expired, please try again", http.StatusBadRequest)
		return
	}
	// code exchange with the IdP happens in the identity service
	dest := string(next)
	if !strings.HasPrefix(dest, "/") || strings.HasPrefix(dest, "//") {
		dest = "/"
	}
	http.Redirect(w, r, dest, http.StatusFound)
}
