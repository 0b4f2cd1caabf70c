package channel

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"marten/internal/kvstore"
)

const (
	statePrefix kvstore.Prefix = "channel/oauth-state/"
	tokenPrefix kvstore.Prefix = "channel/token/"
)

// SiteAuth is what the OAuth flow of a booking site needs.
type SiteAuth struct {
	AuthorizeURL string
	ClientID     string
	RedirectURL  string
	// Exchange trades an authorization code for tokens.
	Exchange func(ctx context.Context, code string) (TokenSet, error)
	// Refresh trades a refresh token for new tokens. Sites rotate the
	// refresh token on every use.
	Refresh func(ctx context.Context, refreshToken string) (TokenSet, error)
}

// TokenSet is the credential of the property on one site.
type TokenSet struct {
	AccessToken  string    `json:"access_token"`
	RefreshToken string    `json:"refresh_token"`
	Expiry       time.Time `json:"expiry"`
	Scope        string    `json:"scope"`
}

// Connector runs the "connect a booking site" flow of the back office.
type Connector struct {
	kv    *kvstore.Store
	sites map[string]SiteAuth
}

// NewConnector returns a connector for the configured sites.
func NewConnector(s *kvstore.Store, sites map[string]SiteAuth) *Connector {
	return &Connector{kv: s, sites: sites}
}

// Connect serves GET /channel/connect/{site}.
func (c *Connector) Connect(w http.ResponseWriter, r *http.Request) {
	site := r.PathValue("site")
	auth, ok := c.sites[site]
	if !ok {
		http.NotFound(w, r)
		return
	}
	raw := make([]byte, 24)
	if _, err := rand.Read(raw); err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	state := kvstore.Token(raw)
	if err := c.kv.PutTTL(r.Context(), statePrefix.Of(state), []byte(site), 10*time.Minute); err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	q := url.Values{"client_id": {auth.ClientID}, "redirect_uri": {auth.RedirectURL}, "state": {state}, "response_type": {"code"}}
	http.Redirect(w, r, auth.AuthorizeURL+"?"+q.Encode(), http.StatusFound)
}

// Callback serves GET /channel/callback.
func (c *Connector) Callback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	state := r.URL.Query().Get("state")
	site, found, err := c.kv.Lookup(ctx, statePrefix.Of(state))
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	if !found {
		http.Error(w, "unknown state", http.StatusBadRequest)
		return
	}
	if err := c.kv.Delete(ctx, statePrefix.Of(state)); err != nil { // EXPECT kvsession
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	auth := c.sites[string(site)]
	tokens, err := auth.Exchange(ctx, r.URL.Query().Get("code"))
	if err != nil {
		http.Error(w, "exchange failed", http.StatusBadGateway)
		return
	}
	if err := c.kv.Put(ctx, tokenPrefix.Of(string(site)), kvstore.Must(json.Marshal(tokens))); err != nil { // DEBATABLE kvsession
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	http.Redirect(w, r, "/backoffice/channels?connected="+url.QueryEscape(string(site)), http.StatusFound)
}

// AccessToken returns a valid access token for a site, refreshing it when it
// is about to expire.
func (c *Connector) AccessToken(ctx context.Context, site string) (string, error) {
	key := tokenPrefix.Of(site)
	raw, found, err := c.kv.Lookup(ctx, key)
	if err != nil {
		return "", err
	}
	if !found {
		return "", fmt.Errorf("channel: %s is not connected", site)
	}
	var ts TokenSet
	if err := json.Unmarshal(raw, &ts); err != nil {
		return "", err
	}
	if time.Until(ts.Expiry) > 2*time.Minute {
		return ts.AccessToken, nil
	}
	fresh, err := c.sites[site].Refresh(ctx, ts.RefreshToken)
	if err != nil {
		return "", fmt.Errorf("channel: refresh %s: %w", site, err)
	}
	ts.AccessToken, ts.RefreshToken, ts.Expiry = fresh.AccessToken, fresh.RefreshToken, fresh.Expiry
	if err := c.kv.Put(ctx, key, kvstore.Must(json.Marshal(ts))); err != nil { // EXPECT kvsession|kvrace
		return "", err
	}
	return ts.AccessToken, nil
}
