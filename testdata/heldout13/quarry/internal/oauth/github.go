package oauth

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// GitHub is the GitHub OAuth app provider.
type GitHub struct {
	ClientID, ClientSecret, TokenURL string
	HTTP                             *http.Client
}

// Exchange implements Provider.
func (g GitHub) Exchange(ctx context.Context, code, redirectURL string) (Identity, error) {
	form := url.Values{"client_id": {g.ClientID}, "client_secret": {g.ClientSecret}, "code": {code}, "redirect_uri": {redirectURL}}
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	if err := g.call(ctx, http.MethodPost, g.TokenURL, "", strings.NewReader(form.Encode()), &tok); err != nil {
		return Identity{}, err
	}
	var id Identity
	if err := g.call(ctx, http.MethodGet, "https://api.github.com/user", tok.AccessToken, nil, &id); err != nil {
		return Identity{}, err
	}
	if tok.ExpiresIn > 0 {
		id.Expiry = time.Now().Add(time.Duration(tok.ExpiresIn) * time.Second)
	}
	return id, nil
}

func (g GitHub) call(ctx context.Context, method, u, bearer string, body *strings.Reader, into any) error {
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return err
	}
	if body != nil {
		req, err = http.NewRequestWithContext(ctx, method, u, body)
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := g.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return &ProviderError{Status: resp.StatusCode, Code: resp.Status}
	}
	return json.NewDecoder(resp.Body).Decode(into)
}
