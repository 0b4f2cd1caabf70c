// Package kvrest is a thin client for the Workers KV REST endpoints. The
// reminder pipeline uses it from the job runner, where pulling in the full
// SDK was not worth it.
package kvrest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

const (
	defaultBase = "https://api.cloudflare.com/client/v4"
	nsPath      = "/accounts/%s/storage/kv/namespaces/%s"
)

// Client talks to one namespace.
type Client struct {
	hc      *http.Client
	base    string
	account string
	ns      string
	token   string
}

type Option func(*Client)

func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.hc = hc } }
func WithBaseURL(u string) Option           { return func(c *Client) { c.base = u } }

func New(account, namespace, token string, opts ...Option) *Client {
	c := &Client{
		hc:      &http.Client{Timeout: 15 * time.Second},
		base:    defaultBase,
		account: account,
		ns:      namespace,
		token:   token,
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

func (c *Client) root() string {
	return c.base + fmt.Sprintf(nsPath, c.account, c.ns)
}

func (c *Client) do(req *http.Request) (*http.Response, error) {
	req.Header.Set("Authorization", "Bearer "+c.token)
	return c.hc.Do(req)
}

// Get fetches a value. The caller owns the response body; a missing key
// comes back as a 404 response, not an error.
func (c *Client) Get(ctx context.Context, key string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.root()+"/values/"+url.PathEscape(key), nil)
	if err != nil {
		return nil, err
	}
	return c.do(req)
}

// Put writes a value. ttlSeconds of zero stores it without expiry.
func (c *Client) Put(ctx context.Context, key string, val []byte, ttlSeconds int) error {
	u := c.root() + "/values/" + url.PathEscape(key)
	if ttlSeconds > 0 {
		u += "?expiration_ttl=" + strconv.Itoa(ttlSeconds)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u, bytes.NewReader(val))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	return c.expectOK(c.do(req))
}

func (c *Client) Delete(ctx context.Context, key string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, c.root()+"/values/"+url.PathEscape(key), nil)
	if err != nil {
		return err
	}
	return c.expectOK(c.do(req))
}

type Key struct {
	Name       string          `json:"name"`
	Expiration int64           `json:"expiration,omitempty"`
	Metadata   json.RawMessage `json:"metadata,omitempty"`
}

type ListResult struct {
	Keys         []Key
	Cursor       string
	ListComplete bool
}

type listEnvelope struct {
	Success    bool  `json:"success"`
	Result     []Key `json:"result"`
	ResultInfo struct {
		Count  int    `json:"count"`
		Cursor string `json:"cursor"`
	} `json:"result_info"`
}

// ListKeys returns one page of keys.
func (c *Client) ListKeys(ctx context.Context, prefix, cursor string, limit int) (*ListResult, error) {
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
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.root()+"/keys?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("kvrest: list %q: %s", prefix, resp.Status)
	}
	var env listEnvelope
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		return nil, fmt.Errorf("kvrest: list %q: %w", prefix, err)
	}
	return &ListResult{Keys: env.Result, Cursor: env.ResultInfo.Cursor, ListComplete: env.ResultInfo.Cursor == ""}, nil
}

// Pair is one entry of a bulk write.
type Pair struct {
	Key           string `json:"key"`
	Value         string `json:"value"`
	ExpirationTTL int    `json:"expiration_ttl,omitempty"`
}

// BulkWrite stores up to 10,000 pairs in one request.
func (c *Client) BulkWrite(ctx context.Context, pairs []Pair) error {
	body, err := json.Marshal(pairs)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, c.root()+"/bulk", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	return c.expectOK(c.do(req))
}

func (c *Client) expectOK(resp *http.Response, err error) error {
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("kvrest: %s %s: %s: %s", resp.Request.Method, resp.Request.URL.Path, resp.Status, msg)
	}
	return nil
}
