// Package accounts is the client for skua's accounts service, which owns
// creator identities and single sign-on.
package accounts

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

const base = "https://accounts.skua.fm"

// Client resolves sign-in addresses and redeems SSO authorization codes.
type Client struct{ hc *http.Client }

func New() *Client { return &Client{hc: &http.Client{Timeout: 10 * time.Second}} }

// AuthorizeURL is where the browser is sent to sign in with SSO.
func (c *Client) AuthorizeURL(state, redirect string) string {
	q := url.Values{"client_id": {"skua-dashboard"}, "redirect_uri": {redirect}, "state": {state}, "response_type": {"code"}}
	return base + "/oauth/authorize?" + q.Encode()
}

// CreatorForEmail returns the creator that owns a verified address.
func (c *Client) CreatorForEmail(ctx context.Context, email string) (string, error) {
	var out struct {
		ID string `json:"id"`
	}
	err := c.do(ctx, http.MethodGet, "/v1/creators/by-email?email="+url.QueryEscape(email), nil, &out)
	return out.ID, err
}

// Exchange redeems an authorization code for the creator's verified email.
func (c *Client) Exchange(ctx context.Context, code, redirect string) (string, error) {
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {"skua-dashboard"}, "redirect_uri": {redirect}}
	var out struct {
		Email    string `json:"email"`
		Verified bool   `json:"email_verified"`
	}
	if err := c.do(ctx, http.MethodPost, "/oauth/token", strings.NewReader(form.Encode()), &out); err != nil {
		return "", err
	}
	if !out.Verified {
		return "", fmt.Errorf("accounts: %s is not verified", out.Email)
	}
	return out.Email, nil
}

func (c *Client) do(ctx context.Context, method, path string, body *strings.Reader, dst any) error {
	var req *http.Request
	var err error
	if body != nil {
		req, err = http.NewRequestWithContext(ctx, method, base+path, body)
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	} else {
		req, err = http.NewRequestWithContext(ctx, method, base+path, nil)
	}
	if err != nil {
		return err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("accounts %s: %s", path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(dst)
}
