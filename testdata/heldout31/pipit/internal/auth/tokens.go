package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"example.com/pipit/internal/keys"
	"example.com/pipit/internal/store"
)

// Claims are the parts of an identity provider's ID token we use.
type Claims struct {
	Subject string `json:"sub"`
	Expires int64  `json:"exp"`
}

// ExpiresAt returns the exp claim as a time.
func (c Claims) ExpiresAt() time.Time { return time.Unix(c.Expires, 0) }

// Verifier checks a token and returns its claims.
type Verifier func(ctx context.Context, token string) (Claims, error)

// TokenResponse is an OAuth 2.0 token endpoint response.
type TokenResponse struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int64  `json:"expires_in"`
	IDToken     string `json:"id_token,omitempty"`
}

// Lifetime returns expires_in as a duration.
func (t TokenResponse) Lifetime() time.Duration { return time.Duration(t.ExpiresIn) * time.Second }

// Endpoint is an OAuth token endpoint and the client registered with it.
type Endpoint struct {
	TokenURL     string
	ClientID     string
	ClientSecret string
}

// PostForm posts a form, with a bearer token if one is given, and decodes
// a JSON answer into out when out is not nil.
func PostForm(ctx context.Context, hc *http.Client, target, bearer string, form url.Values, out ...any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	res, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode >= 300 {
		return fmt.Errorf("POST %s: %s", target, res.Status)
	}
	for _, o := range out {
		if err := json.NewDecoder(res.Body).Decode(o); err != nil {
			return err
		}
	}
	return nil
}

// FetchToken calls the token endpoint with the client's credentials.
func FetchToken(ctx context.Context, hc *http.Client, ep Endpoint, form url.Values) (TokenResponse, error) {
	form.Set("client_id", ep.ClientID)
	form.Set("client_secret", ep.ClientSecret)
	var tr TokenResponse
	return tr, PostForm(ctx, hc, ep.TokenURL, "", form, &tr)
}

// ClientCredentials caches an upstream access token in the key-value store
// so that every instance does not fetch its own.
type ClientCredentials struct {
	name string
	ep   Endpoint
	hc   *http.Client
	kv   store.KV
	put  func(ttl time.Duration) keys.PutFunc
}

// NewClientCredentials returns a token source for one upstream.
func NewClientCredentials(kv store.KV, name string, ep Endpoint) *ClientCredentials {
	return &ClientCredentials{
		name: name, ep: ep,
		hc:  &http.Client{Timeout: 10 * time.Second},
		kv:  kv,
		put: keys.Writer(kv)("oauth"),
	}
}

// Token returns a cached access token or fetches a new one.
func (c *ClientCredentials) Token(ctx context.Context) (string, error) {
	b, err := c.kv.Get(ctx, "oauth:"+c.name)
	if err == nil {
		return string(b), nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return "", err
	}
	tr, err := FetchToken(ctx, c.hc, c.ep, url.Values{"grant_type": {"client_credentials"}})
	if err != nil {
		return "", err
	}
	// Drop the cached copy a little before the upstream does.
	ttl := max(tr.Lifetime()-30*time.Second, time.Minute)
	return tr.AccessToken, c.put(ttl)(ctx, c.name, []byte(tr.AccessToken))
}
