// Package kvrest is a small hand-written client for the Workers KV REST
// API. The transcript pipeline uses it directly because it runs next to the
// transcription workers, which carry their own HTTP stack and do not link
// the SDKs.
package kvrest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// minTTL is the shortest expiration_ttl the API accepts.
const minTTL = 60 * time.Second

// Resolver maps a logical namespace name to a namespace ID for the
// request's tenant or environment.
type Resolver func(ctx context.Context, logical string) (string, error)

// StaticResolver resolves logical names from a fixed map.
func StaticResolver(ids map[string]string) Resolver {
	return func(_ context.Context, logical string) (string, error) {
		if id, ok := ids[logical]; ok {
			return id, nil
		}
		return "", fmt.Errorf("kvrest: no namespace for %q", logical)
	}
}

// Client is a KV REST client.
type Client struct {
	hc        *http.Client
	base      string
	accountID string
	token     string
	resolve   Resolver
}

// New returns a client. base may be empty for the public API.
func New(hc *http.Client, base, accountID, token string, resolve Resolver) *Client {
	if base == "" {
		base = "https://api.cloudflare.com/client/v4"
	}
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	return &Client{hc: hc, base: base, accountID: accountID, token: token, resolve: resolve}
}

// APIError is a non-2xx answer from the API.
type APIError struct {
	Status int
	Body   string
}

func (e *APIError) Error() string { return fmt.Sprintf("kvrest: HTTP %d: %s", e.Status, e.Body) }

// IsNotFound reports whether err is a 404 from the API.
func IsNotFound(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Status == http.StatusNotFound
}

func (c *Client) nsURL(ctx context.Context, logical string) (string, error) {
	id, err := c.resolve(ctx, logical)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s/accounts/%s/storage/kv/namespaces/%s", c.base, c.accountID, id), nil
}

func (c *Client) request(ctx context.Context, method, logical, path string, body []byte) (*http.Request, error) {
	ns, err := c.nsURL(ctx, logical)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, method, ns+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	return req, nil
}

func (c *Client) send(req *http.Request) (*http.Response, error) {
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		defer resp.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
		return nil, &APIError{Status: resp.StatusCode, Body: string(body)}
	}
	return resp, nil
}

func valuePath(key string) string { return "/values/" + url.PathEscape(key) }

// Put writes val under key. A positive ttl sets expiration_ttl; values
// under the API minimum are raised to it.
func (c *Client) Put(ctx context.Context, logical, key string, val []byte, ttl time.Duration) error {
	path := valuePath(key)
	if ttl > 0 {
		q := url.Values{"expiration_ttl": {strconv.Itoa(int(max(ttl, minTTL).Seconds()))}}
		path += "?" + q.Encode()
	}
	req, err := c.request(ctx, http.MethodPut, logical, path, val)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err := c.send(req)
	if err != nil {
		return fmt.Errorf("kvrest: put %q: %w", key, err)
	}
	return resp.Body.Close()
}

// Get returns the value under key; ok is false if it does not exist.
func (c *Client) Get(ctx context.Context, logical, key string) (val []byte, ok bool, err error) {
	req, err := c.request(ctx, http.MethodGet, logical, valuePath(key), nil)
	if err != nil {
		return nil, false, err
	}
	resp, err := c.send(req)
	if IsNotFound(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("kvrest: get %q: %w", key, err)
	}
	defer resp.Body.Close()
	val, err = io.ReadAll(resp.Body)
	return val, err == nil, err
}

// GetJSON decodes the JSON value under key into into.
func (c *Client) GetJSON(ctx context.Context, logical, key string, into any) error {
	req, err := c.request(ctx, http.MethodGet, logical, valuePath(key), nil)
	if err != nil {
		return err
	}
	resp, err := c.hc.Do(req) // EXPECT kvnull
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(into)
}

// Delete removes key.
func (c *Client) Delete(ctx context.Context, logical, key string) error {
	req, err := c.request(ctx, http.MethodDelete, logical, valuePath(key), nil)
	if err != nil {
		return err
	}
	resp, err := c.send(req)
	if IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("kvrest: delete %q: %w", key, err)
	}
	return resp.Body.Close()
}
