// Package kvrest is a thin client for the Workers KV REST endpoints. The
// search service uses it instead of the SDK because it only needs plain text
// values and wanted control over retries and connection reuse.
package kvrest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const apiBase = "https://api.cloudflare.com/client/v4/accounts/%s/storage/kv/namespaces/%s"

// ErrNotFound is returned for a 404 on a value read.
var ErrNotFound = errors.New("kvrest: not found")

// Client talks to one namespace.
type Client struct {
	hc   *http.Client
	base string
}

// BearerTransport adds the API token to every request.
type BearerTransport struct {
	Token string
	Next  http.RoundTripper
}

func (t BearerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+t.Token)
	next := t.Next
	if next == nil {
		next = http.DefaultTransport
	}
	return next.RoundTrip(r)
}

// NewHTTPClient returns an authenticated client for the API.
func NewHTTPClient(token string) *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: BearerTransport{Token: token}}
}

// New returns a client for namespaceID.
func New(hc *http.Client, accountID, namespaceID string) *Client {
	return &Client{hc: hc, base: fmt.Sprintf(apiBase, accountID, namespaceID)}
}

// ValueURL returns the URL of key's value.
func ValueURL(accountID, namespaceID, key string) string {
	return fmt.Sprintf(apiBase, accountID, namespaceID) + "/values/" + url.PathEscape(key)
}

type apiEnvelope struct {
	Success bool `json:"success"`
	Errors  []struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"errors"`
}

func apiError(resp *http.Response) error {
	var env apiEnvelope
	_ = json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&env)
	if len(env.Errors) > 0 {
		return fmt.Errorf("kv api %d: %d %s", resp.StatusCode, env.Errors[0].Code, env.Errors[0].Message)
	}
	return fmt.Errorf("kv api: %s", resp.Status)
}

// GetValue reads key as text.
func (c *Client) GetValue(ctx context.Context, key string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/values/"+url.PathEscape(key), nil)
	if err != nil {
		return "", err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return "", ErrNotFound
	case resp.StatusCode >= 300:
		return "", apiError(resp)
	}
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// PutValue writes key. ttlSeconds of zero means no expiry.
func (c *Client) PutValue(ctx context.Context, key, value string, ttlSeconds int) error {
	u := c.base + "/values/" + url.PathEscape(key)
	if ttlSeconds > 0 {
		u += "?" + url.Values{"expiration_ttl": {strconv.Itoa(ttlSeconds)}}.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u, strings.NewReader(value))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "text/plain")
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return apiError(resp)
	}
	return nil
}

// DeleteValue removes key.
func (c *Client) DeleteValue(ctx context.Context, key string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, c.base+"/values/"+url.PathEscape(key), nil)
	if err != nil {
		return err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 && resp.StatusCode != http.StatusNotFound {
		return apiError(resp)
	}
	return nil
}

type listResponse struct {
	Result []struct {
		Name string `json:"name"`
	} `json:"result"`
	ResultInfo struct {
		Count  int    `json:"count"`
		Cursor string `json:"cursor"`
	} `json:"result_info"`
}

// ListKeys returns one page of key names under prefix and the next cursor
// ("" on the last page).
func (c *Client) ListKeys(ctx context.Context, prefix, cursor string, limit int) ([]string, string, error) {
	q := url.Values{}
	if prefix != "" {
		q.Set("prefix", prefix)
	}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/keys?"+q.Encode(), nil)
	if err != nil {
		return nil, "", err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return nil, "", apiError(resp)
	}
	var lr listResponse
	if err := json.NewDecoder(resp.Body).Decode(&lr); err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(lr.Result))
	for _, r := range lr.Result {
		names = append(names, r.Name)
	}
	return names, lr.ResultInfo.Cursor, nil
}
