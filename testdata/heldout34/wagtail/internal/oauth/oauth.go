// Package oauth connects tenants to third-party providers (Slack, GitHub,
// HubSpot, ...) so that wagtail can deliver events into their accounts.
package oauth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"wagtail/internal/config"
	"wagtail/internal/kvstore"
)

// ErrInvalidState is returned for an unknown or expired state parameter.
var ErrInvalidState = errors.New("oauth: unknown or expired state")

// State is the pending authorization of one browser redirect.
type State struct {
	TenantID string `json:"tenant_id"`
	Provider string `json:"provider"`
	Verifier string `json:"verifier"`
	ReturnTo string `json:"return_to"`
}

// Connection holds a tenant's tokens for one provider.
type Connection struct {
	TenantID      string    `json:"tenant_id"`
	Provider      string    `json:"provider"`
	AccessToken   string    `json:"access_token"`
	RefreshToken  string    `json:"refresh_token"`
	AccessExpiry  time.Time `json:"access_expiry"`
	RefreshExpiry time.Time `json:"refresh_expiry,omitempty"`
}

// CacheKey is the KV key of the connection.
func (c Connection) CacheKey() string { return kvstore.KindOAuthConn.Key(c.TenantID, c.Provider) }

// Expiry is how long the connection stays usable: until the refresh token
// expires, or forever when the provider does not expire refresh tokens.
func (c Connection) Expiry() time.Duration {
	if c.RefreshExpiry.IsZero() {
		return 0
	}
	return time.Until(c.RefreshExpiry)
}

type stateRepo struct{ kvstore.Base }

type connRepo struct{ kvstore.Base }

// Manager runs the authorization flow and hands out access tokens.
type Manager struct {
	states  stateRepo
	conns   connRepo
	cacheNS string
	cfg     config.OAuth
	http    *http.Client
}

// NewManager returns a Manager. States live in sessionsNS, connections in
// keysNS and access tokens in cacheNS.
func NewManager(sessionsNS, keysNS, cacheNS string, cfg config.OAuth) *Manager {
	return &Manager{
		states:  stateRepo{kvstore.NewBase(sessionsNS, kvstore.KindOAuthState)},
		conns:   connRepo{kvstore.NewBase(keysNS, kvstore.KindOAuthConn)},
		cacheNS: cacheNS,
		cfg:     cfg,
		http:    &http.Client{Timeout: 10 * time.Second},
	}
}

// Begin starts an authorization and returns the provider URL to redirect to.
func (m *Manager) Begin(ctx context.Context, tenantID, provider, returnTo string) (string, error) {
	p, ok := m.cfg.Providers[provider]
	if !ok {
		return "", fmt.Errorf("oauth: unknown provider %q", provider)
	}
	state, verifier := random(24), random(48)
	st := State{TenantID: tenantID, Provider: provider, Verifier: verifier, ReturnTo: returnTo}
	if err := m.states.PutDefault(ctx, m.states.KeyOf(state), st); err != nil {
		return "", err
	}
	challenge := sha256.Sum256([]byte(verifier))
	q := url.Values{"response_type": {"code"}, "client_id": {p.ClientID}, "state": {state},
		"redirect_uri": {m.redirect(provider)}, "scope": {strings.Join(p.Scopes, " ")},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(challenge[:])}, "code_challenge_method": {"S256"}}
	return p.AuthURL + "?" + q.Encode(), nil
}

// Callback completes an authorization and stores the connection.
func (m *Manager) Callback(ctx context.Context, provider, state, code string) (st State, err error) {
	key := m.states.KeyOf(state)
	if err := m.states.GetJSON(ctx, key, &st); err != nil {
		if kvstore.IsMiss(err) {
			return st, ErrInvalidState
		}
		return st, err
	}
	if st.Provider != provider {
		return st, ErrInvalidState
	}
	if err := m.states.Remove(ctx, key); err != nil { // EXPECT kvsession
		return st, err
	}
	defer func() {
		if err == nil {
			m.audit(ctx, st.TenantID, provider+" connected")
		}
	}()
	conn, err := m.exchange(ctx, st.TenantID, provider, url.Values{"grant_type": {"authorization_code"},
		"code": {code}, "code_verifier": {st.Verifier}, "redirect_uri": {m.redirect(provider)}})
	if err != nil {
		return st, err
	}
	return st, kvstore.PutValue(ctx, m.conns.NS, "", conn)
}

// AccessToken returns a valid access token, refreshing it when needed.
func (m *Manager) AccessToken(ctx context.Context, tenantID, provider string) (string, error) {
	cacheKey := kvstore.Key("at", tenantID, provider)
	if raw, err := kvstore.GetBytes(ctx, m.cacheNS, cacheKey); err == nil {
		return string(raw), nil
	} else if !kvstore.IsMiss(err) {
		return "", err
	}
	var conn Connection
	key := m.conns.KeyOf(tenantID, provider)
	if err := m.conns.GetJSON(ctx, key, &conn); err != nil {
		return "", err
	}
	if time.Until(conn.AccessExpiry) < time.Minute {
		fresh, err := m.exchange(ctx, tenantID, provider, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {conn.RefreshToken}})
		if err != nil {
			return "", fmt.Errorf("oauth: refresh %s: %w", provider, err)
		}
		conn.AccessToken, conn.AccessExpiry = fresh.AccessToken, fresh.AccessExpiry
		if fresh.RefreshToken != "" {
			conn.RefreshToken = fresh.RefreshToken
		}
		if err := m.conns.PutJSON(ctx, key, conn, conn.Expiry()); err != nil { // EXPECT kvsession
			return "", err
		}
	}
	ttl := time.Until(conn.AccessExpiry) - 30*time.Second // EXPECT kvttl
	if err := kvstore.PutBytes(ctx, m.cacheNS, cacheKey, []byte(conn.AccessToken), ttl); err != nil {
		return "", err
	}
	return conn.AccessToken, nil
}

// Disconnect removes a tenant's connection to a provider.
func (m *Manager) Disconnect(ctx context.Context, tenantID, provider string) error {
	if err := kvstore.Delete(ctx, m.conns.NS, kvstore.KindOAuthConn.Key(tenantID, provider)); err != nil { // EXPECT kvsession
		return err
	}
	if err := kvstore.Delete(ctx, m.cacheNS, kvstore.Key("at", tenantID, provider)); err != nil { // EXPECT kvsession
		return err
	}
	m.audit(ctx, tenantID, provider+" disconnected")
	return nil
}

func (m *Manager) audit(ctx context.Context, tenantID, msg string) {
	key := kvstore.Key("oauth-audit", tenantID)
	var entries []string
	if raw, err := kvstore.GetBytes(ctx, m.conns.NS, key); err == nil { // EXPECT kvnull
		_ = json.Unmarshal(raw, &entries)
	}
	entries = append(entries, time.Now().UTC().Format(time.RFC3339)+" "+msg)
	if len(entries) > 100 {
		entries = entries[len(entries)-100:]
	}
	raw, _ := json.Marshal(entries)
	_ = kvstore.PutBytes(ctx, m.conns.NS, key, raw, 0) // EXPECT kvrace
}

func (m *Manager) redirect(provider string) string {
	return m.cfg.RedirectBase + "/oauth/" + provider + "/callback"
}

// exchange calls the provider's token endpoint.
func (m *Manager) exchange(ctx context.Context, tenantID, provider string, form url.Values) (Connection, error) {
	p := m.cfg.Providers[provider]
	form.Set("client_id", p.ClientID)
	form.Set("client_secret", p.ClientSecret)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return Connection{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := m.http.Do(req)
	if err != nil {
		return Connection{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Connection{}, fmt.Errorf("oauth: token endpoint: %s", resp.Status)
	}
	var tr struct {
		AccessToken      string `json:"access_token"`
		RefreshToken     string `json:"refresh_token"`
		ExpiresIn        int    `json:"expires_in"`
		RefreshExpiresIn int    `json:"refresh_token_expires_in"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tr); err != nil {
		return Connection{}, err
	}
	now := time.Now()
	c := Connection{TenantID: tenantID, Provider: provider, AccessToken: tr.AccessToken, RefreshToken: tr.RefreshToken,
		AccessExpiry: now.Add(time.Duration(tr.ExpiresIn) * time.Second)}
	if tr.RefreshExpiresIn > 0 {
		c.RefreshExpiry = now.Add(time.Duration(tr.RefreshExpiresIn) * time.Second)
	}
	return c, nil
}

func random(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
