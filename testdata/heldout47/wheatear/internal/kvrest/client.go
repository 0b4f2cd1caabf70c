// Package kvrest is a small hand-written client for the Workers KV v4 REST
// API. The counters pipeline uses it instead of cloudflare-go because it
// needs streaming bodies in both directions.
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

const defaultBase = "https://api.cloudflare.com/client/v4"

// NotFoundError is returned when the key does not exist.
type NotFoundError struct{ Key string }

func (e *NotFoundError) Error() string { return "kvrest: no value for key " + strconv.Quote(e.Key) }

// APIError carries a non-2xx response other than 404.
type APIError struct {
	Status int
	Op     string
	Key    string
	Body   string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("kvrest: %s %q: HTTP %d: %s", e.Op, e.Key, e.Status, e.Body)
}

// Client is bound to one account and namespace.
type Client struct {
	HTTP      *http.Client
	Base      string
	Token     string
	AccountID string
	Namespace string
}

// WriteOptions mirrors the query parameters of the write endpoint.
type WriteOptions struct {
	ExpirationTTL int   // seconds from now
	Expiration    int64 // unix seconds
}

func (o WriteOptions) query() url.Values {
	q := url.Values{}
	if o.ExpirationTTL > 0 {
		q.Set("expiration_ttl", strconv.Itoa(o.ExpirationTTL))
	}
	if o.Expiration > 0 {
		q.Set("expiration", strconv.FormatInt(o.Expiration, 10))
	}
	return q
}

// ListOptions mirrors the query parameters of the keys endpoint.
type ListOptions struct {
	Prefix string
	Cursor string
	Limit  int
}

// Key is one entry of a keys listing.
type Key struct {
	Name       string          `json:"name"`
	Expiration int64           `json:"expiration,omitempty"`
	Metadata   json.RawMessage `json:"metadata,omitempty"`
}

// KeyPage is one page of a keys listing.
type KeyPage struct {
	Keys   []Key
	Cursor string
	Count  int
}

func (c *Client) nsURL(parts ...string) string {
	base := c.Base
	if base == "" {
		base = defaultBase
	}
	u := base + "/accounts/" + url.PathEscape(c.AccountID) +
		"/storage/kv/namespaces/" + url.PathEscape(c.Namespace)
	for _, p := range parts {
		u += "/" + p
	}
	return u
}

func (c *Client) do(req *http.Request, op, key string) (*http.Response, error) {
	req.Header.Set("Authorization", "Bearer "+c.Token)
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("kvrest: %s %q: %w", op, key, err)
	}
	if resp.StatusCode == http.StatusNotFound && op == "get" {
		resp.Body.Close()
		return nil, &NotFoundError{Key: key}
	}
	if resp.StatusCode/100 != 2 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		resp.Body.Close()
		return nil, &APIError{Status: resp.StatusCode, Op: op, Key: key, Body: string(b)}
	}
	return resp, nil
}

// GetReader streams the value under key. The caller closes the reader.
func (c *Client) GetReader(ctx context.Context, key string) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.nsURL("values", url.PathEscape(key)), nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.do(req, "get", key)
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

// Get reads the whole value under key.
func (c *Client) Get(ctx context.Context, key string) ([]byte, error) {
	rc, err := c.GetReader(ctx, key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// PutReader streams body to key.
func (c *Client) PutReader(ctx context.Context, key string, body io.Reader, opts WriteOptions) error {
	u := c.nsURL("values", url.PathEscape(key))
	if q := opts.query(); len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u, body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err := c.do(req, "put", key)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	return resp.Body.Close()
}

// Put writes value to key.
func (c *Client) Put(ctx context.Context, key string, value []byte, opts WriteOptions) error {
	return c.PutReader(ctx, key, bytes.NewReader(value), opts)
}

// ListKeys fetches one page of key names.
func (c *Client) ListKeys(ctx context.Context, opts ListOptions) (KeyPage, error) {
	q := url.Values{}
	if opts.Prefix != "" {
		q.Set("prefix", opts.Prefix)
	}
	if opts.Cursor != "" {
		q.Set("cursor", opts.Cursor)
	}
	if opts.Limit > 0 {
		q.Set("limit", strconv.Itoa(opts.Limit))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.nsURL("keys")+"?"+q.Encode(), nil)
	if err != nil {
		return KeyPage{}, err
	}
	resp, err := c.do(req, "list", opts.Prefix)
	if err != nil {
		return KeyPage{}, err
	}
	defer resp.Body.Close()
	var env struct {
		Result     []Key `json:"result"`
		ResultInfo struct {
			Count  int    `json:"count"`
			Cursor string `json:"cursor"`
		} `json:"result_info"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		return KeyPage{}, fmt.Errorf("kvrest: decode keys: %w", err)
	}
	return KeyPage{Keys: env.Result, Cursor: env.ResultInfo.Cursor, Count: env.ResultInfo.Count}, nil
}

// BulkDelete removes up to 10,000 keys in one request.
func (c *Client) BulkDelete(ctx context.Context, keys []string) error {
	b, err := json.Marshal(keys)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.nsURL("bulk", "delete"), bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.do(req, "bulk-delete", "")
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// TTLUntil converts an absolute deadline into whole seconds from now.
func TTLUntil(t time.Time) int {
	return int(time.Until(t) / time.Second)
}
