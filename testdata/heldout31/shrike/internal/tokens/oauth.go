package tokens

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

type Response struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
	// ExpiresIn is the access token lifetime in seconds.
	ExpiresIn int64 `json:"expires_in"`
}

func (r Response) Lifetime() time.Duration { return time.Duration(r.ExpiresIn) * time.Second }

type Endpoint struct {
	URL          string
	ClientID     string
	ClientSecret string
	Client       Doer
}

func (e Endpoint) Exchange(ctx context.Context, code, redirect string) (Response, error) {
	return e.post(ctx, url.Values{
		"grant_type":   {"authorization_code"},
		"code":         {code},
		"redirect_uri": {redirect},
	})
}

func (e Endpoint) Refresh(ctx context.Context, refresh string) (Response, error) {
	return e.post(ctx, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}})
}

func (e Endpoint) ClientCredentials(ctx context.Context, scope string) (Response, error) {
	return e.post(ctx, url.Values{"grant_type": {"client_credentials"}, "scope": {scope}})
}

func (e Endpoint) post(ctx context.Context, form url.Values) (Response, error) {
	var out Response
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.URL, strings.NewReader(form.Encode()))
	if err != nil {
		return out, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(e.ClientID, e.ClientSecret)
	client := e.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return out, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return out, err
	}
	if resp.StatusCode != http.StatusOK {
		return out, fmt.Errorf("token endpoint: %s: %s", resp.Status, body)
	}
	if err := json.Unmarshal(body, &out); err != nil {
		return out, fmt.Errorf("token endpoint: %w", err)
	}
	if out.AccessToken == "" {
		return out, fmt.Errorf("token endpoint: empty access token")
	}
	return out, nil
}
