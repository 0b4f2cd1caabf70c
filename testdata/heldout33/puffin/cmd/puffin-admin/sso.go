package main

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"log"
	"net/http"
	"net/url"
	"time"

	"github.com/confhub/puffin/internal/keys"
	"github.com/confhub/puffin/internal/kvx"
)

const stateTTL = 10 * time.Minute

type ssoConfig struct {
	authorizeURL string
	gatewayURL   string // completes the code exchange and sets the cookie
	clientID     string
	redirectURL  string
}

type ssoState struct {
	ReturnTo string    `json:"return_to"`
	Created  time.Time `json:"created"`
}

// ssoStart sends an organiser to the identity provider.
func ssoStart(store *kvx.Store, cfg ssoConfig) http.HandlerFunc {
	return func(w http.ResponseWriter, req *http.Request) {
		ctx := req.Context()
		var b [24]byte
		if _, err := rand.Read(b[:]); err != nil {
			http.Error(w, "sign-in unavailable", http.StatusBadGateway)
			return
		}
		state := base64.RawURLEncoding.EncodeToString(b[:])
		raw, _ := json.Marshal(ssoState{ReturnTo: req.URL.Query().Get("return_to"), Created: time.Now().UTC()})
		if err := store.Put(ctx, keys.OAuthStateKey(state).String(), raw, stateTTL); err != nil { // DEBATABLE kvsession
			http.Error(w, "sign-in unavailable", http.StatusBadGateway)
			return
		}
		q := url.Values{
			"response_type": {"code"}, "client_id": {cfg.clientID},
			"redirect_uri": {cfg.redirectURL}, "state": {state}, "scope": {"openid email"},
		}
		http.Redirect(w, req, cfg.authorizeURL+"?"+q.Encode(), http.StatusFound)
	}
}

// ssoCallback checks the state parameter and hands the code to the token
// exchange.
func ssoCallback(store *kvx.Store, cfg ssoConfig) http.HandlerFunc {
	return func(w http.ResponseWriter, req *http.Request) {
		ctx := req.Context()
		stateKey := keys.OAuthStateKey(req.URL.Query().Get("state"))
		raw, err := store.Get(ctx, stateKey.String())
		if kvx.IsNotFound(err) {
			http.Error(w, "sign-in expired, start again", http.StatusBadRequest)
			return
		} else if err != nil {
			http.Error(w, "sign-in unavailable", http.StatusBadGateway)
			return
		}
		var st ssoState
		if err := json.Unmarshal(raw, &st); err != nil {
			http.Error(w, "bad state", http.StatusBadRequest)
			return
		}
		if err := store.Delete(ctx, stateKey.String()); err != nil { // EXPECT kvsession
			log.Printf("admin: sso state: %v", err)
		}
		q := url.Values{"code": {req.URL.Query().Get("code")}, "return_to": {st.ReturnTo}}
		http.Redirect(w, req, cfg.gatewayURL+"?"+q.Encode(), http.StatusFound)
	}
}
