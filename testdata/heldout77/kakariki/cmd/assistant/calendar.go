package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/kakariki-ai/kakariki/internal/tools"
)

// calendarClient talks to the calendar provider's REST API.
type calendarClient struct {
	base string
	http http.Client
}

func (c *calendarClient) do(ctx context.Context, method, path, token string, body, out any) error {
	var rd *strings.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = strings.NewReader(string(raw))
	} else {
		rd = strings.NewReader("")
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode >= 300 {
		return fmt.Errorf("calendar: %s %s: %s", method, path, res.Status)
	}
	return json.NewDecoder(res.Body).Decode(out)
}

func (c *calendarClient) Events(ctx context.Context, token string, from, to time.Time) ([]tools.Event, error) {
	var out struct {
		Items []tools.Event `json:"items"`
	}
	q := url.Values{"from": {from.Format(time.RFC3339)}, "to": {to.Format(time.RFC3339)}}
	err := c.do(ctx, http.MethodGet, "/events?"+q.Encode(), token, nil, &out)
	return out.Items, err
}

func (c *calendarClient) Create(ctx context.Context, token string, ev tools.Event) (tools.Event, error) {
	var out tools.Event
	err := c.do(ctx, http.MethodPost, "/events", token, ev, &out)
	return out, err
}

func (c *calendarClient) Refresh(ctx context.Context, refreshToken string) (tools.OAuthToken, error) {
	var out tools.OAuthToken
	err := c.do(ctx, http.MethodPost, "/oauth/token", "", map[string]string{"grant_type": "refresh_token", "refresh_token": refreshToken}, &out)
	return out, err
}

func (c *calendarClient) Exchange(ctx context.Context, code, verifier string) (tools.OAuthToken, error) {
	var out tools.OAuthToken
	err := c.do(ctx, http.MethodPost, "/oauth/token", "", map[string]string{"grant_type": "authorization_code", "code": code, "code_verifier": verifier}, &out)
	return out, err
}
