// Package cfapi is a small client for the Cloudflare Workers KV REST API,
// used by the admin tool to run migrations and repairs from outside the
// worker.
package cfapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// ErrNotFound is returned when a key does not exist (HTTP 404).
var ErrNotFound = errors.New("cfapi: key not found")

// Client talks to one KV namespace.
type Client struct {
	BaseURL     string
	AccountID   string
	NamespaceID string
	Token       string
	HTTP        *http.Client
}

// New returns a client with a 30 s timeout.
func New(accountID, namespaceID, token string) *Client {
	return &Client{
		BaseURL:     "https://api.cloudflare.com/client/v4",
		AccountID:   accountID,
		NamespaceID: namespaceID,
		Token:       token,
		HTTP:        &http.Client{Timeout: 30 * time.Second},
	}
}

func (c *Client) url(path string, q url.Values) string {
	u := fmt.Sprintf("%s/accounts/%s/storage/kv/namespaces/%s/%s", c.BaseURL, c.AccountID, c.NamespaceID, path)
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

type envelope struct {
	Success bool `json:"success"`
	Errors  []struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"errors"`
	Result     json.RawMessage `json:"result"`
	ResultInfo struct {
		Cursor string `json:"cursor"`
	} `json:"result_info"`
}

// send performs a request and decodes the standard response envelope.
func (c *Client) send(ctx context.Context, method, u, contentType string, body io.Reader) (*envelope, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var env envelope
	if err := json.NewDecoder(res.Body).Decode(&env); err != nil {
		return nil, fmt.Errorf("cfapi: HTTP %d: undecodable body: %w", res.StatusCode, err)
	}
	if res.StatusCode >= 300 || !env.Success {
		return nil, fmt.Errorf("cfapi: HTTP %d: %+v", res.StatusCode, env.Errors)
	}
	return &env, nil
}

func (c *Client) sendJSON(ctx context.Context, method, path string, v any) (*envelope, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return c.send(ctx, method, c.url(path, nil), "application/json", bytes.NewReader(body))
}

// Get returns the raw value of key.
func (c *Client) Get(ctx context.Context, key string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url("values/"+url.PathEscape(key), nil), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	res, err := c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	switch res.StatusCode {
	case http.StatusOK:
		return io.ReadAll(res.Body)
	case http.StatusNotFound:
		return nil, ErrNotFound
	default:
		return nil, fmt.Errorf("cfapi: get %q: HTTP %d", key, res.StatusCode)
	}
}

// WriteOptions are the optional parameters of a single write.
type WriteOptions struct {
	ExpirationTTL int   // seconds from now
	Expiration    int64 // seconds since the epoch
	Metadata      any   // JSON-serialisable
}

// Put writes one value. With metadata the request is multipart.
func (c *Client) Put(ctx context.Context, key string, value []byte, opts WriteOptions) error {
	q := url.Values{}
	if opts.ExpirationTTL > 0 {
		q.Set("expiration_ttl", strconv.Itoa(opts.ExpirationTTL))
	}
	if opts.Expiration > 0 {
		q.Set("expiration", strconv.FormatInt(opts.Expiration, 10))
	}
	var body io.Reader = bytes.NewReader(value)
	contentType := "application/octet-stream"
	if opts.Metadata != nil {
		meta, err := json.Marshal(opts.Metadata)
		if err != nil {
			return fmt.Errorf("cfapi: metadata: %w", err)
		}
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		_ = mw.WriteField("metadata", string(meta))
		_ = mw.WriteField("value", string(value))
		if err := mw.Close(); err != nil {
			return err
		}
		body, contentType = &buf, mw.FormDataContentType()
	}
	_, err := c.send(ctx, http.MethodPut, c.url("values/"+url.PathEscape(key), q), contentType, body)
	return err
}

// Delete removes one key.
func (c *Client) Delete(ctx context.Context, key string) error {
	_, err := c.send(ctx, http.MethodDelete, c.url("values/"+url.PathEscape(key), nil), "", nil)
	return err
}

// Key is one listed key.
type Key struct {
	Name       string          `json:"name"`
	Expiration int64           `json:"expiration,omitempty"`
	Metadata   json.RawMessage `json:"metadata,omitempty"`
}

// ListParams selects a page of keys.
type ListParams struct {
	Prefix string
	Cursor string
	Limit  int
}

// ListPage is one page of keys; Cursor is empty on the last page.
type ListPage struct {
	Keys   []Key
	Cursor string
}

// List returns one page of keys.
func (c *Client) List(ctx context.Context, p ListParams) (ListPage, error) {
	q := url.Values{}
	if p.Prefix != "" {
		q.Set("prefix", p.Prefix)
	}
	if p.Cursor != "" {
		q.Set("cursor", p.Cursor)
	}
	if p.Limit > 0 {
		q.Set("limit", strconv.Itoa(p.Limit))
	}
	env, err := c.send(ctx, http.MethodGet, c.url("keys", q), "", nil)
	if err != nil {
		return ListPage{}, err
	}
	page := ListPage{Cursor: env.ResultInfo.Cursor}
	if err := json.Unmarshal(env.Result, &page.Keys); err != nil {
		return ListPage{}, fmt.Errorf("cfapi: list result: %w", err)
	}
	return page, nil
}

// Pair is one entry of a bulk write.
type Pair struct {
	Key           string `json:"key"`
	Value         string `json:"value"`
	ExpirationTTL int    `json:"expiration_ttl,omitempty"`
	Metadata      any    `json:"metadata,omitempty"`
}

// BulkResult reports partial failures of a bulk write.
type BulkResult struct {
	SuccessfulKeyCount int      `json:"successful_key_count"`
	UnsuccessfulKeys   []string `json:"unsuccessful_keys"`
}

// BulkWrite writes pairs in one request.
func (c *Client) BulkWrite(ctx context.Context, pairs []Pair) (BulkResult, error) {
	env, err := c.sendJSON(ctx, http.MethodPut, "bulk", pairs)
	if err != nil {
		return BulkResult{}, err
	}
	var out BulkResult
	_ = json.Unmarshal(env.Result, &out)
	return out, nil
}

// BulkGet reads text values; missing keys map to nil.
func (c *Client) BulkGet(ctx context.Context, keys []string) (map[string]*string, error) {
	env, err := c.sendJSON(ctx, http.MethodPost, "bulk/get", map[string]any{"keys": keys, "type": "text"})
	if err != nil {
		return nil, err
	}
	var out struct {
		Values map[string]*string `json:"values"`
	}
	if err := json.Unmarshal(env.Result, &out); err != nil {
		return nil, fmt.Errorf("cfapi: bulk get result: %w", err)
	}
	return out.Values, nil
}

// BulkDelete removes keys in one request.
func (c *Client) BulkDelete(ctx context.Context, keys []string) error {
	_, err := c.sendJSON(ctx, http.MethodPost, "bulk/delete", keys)
	return err
}
