// Package kvrest talks to the Workers KV REST API with net/http, for the jobs
// that need the bulk endpoint or move large values.
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

// DefaultBase is the Cloudflare API root.
const DefaultBase = "https://api.cloudflare.com/client/v4"

// MaxBulkWrite is the most pairs one bulk write may carry.
const MaxBulkWrite = 10_000

// ErrNotFound is returned by Get for a missing key.
var ErrNotFound = errors.New("kvrest: not found")

// Client is a REST client for one account.
type Client struct {
	http      *http.Client
	base      *url.URL
	token     string
	accountID string
	env       func() string
	spaces    map[string]map[string]string // env -> logical name -> namespace ID
}

// New returns a Client. spaces maps environment and logical namespace name
// to a namespace ID; env reports the current environment.
func New(hc *http.Client, token, accountID string, env func() string, spaces map[string]map[string]string) *Client {
	base, _ := url.Parse(DefaultBase)
	return &Client{http: hc, base: base, token: token, accountID: accountID, env: env, spaces: spaces}
}

func (c *Client) namespaceID(name string) (string, error) {
	env := c.env()
	id, ok := c.spaces[env][name]
	if !ok {
		return "", fmt.Errorf("kvrest: no namespace %q in environment %q", name, env)
	}
	return id, nil
}

func (c *Client) nsURL(name string, elem ...string) (*url.URL, error) {
	id, err := c.namespaceID(name)
	if err != nil {
		return nil, err
	}
	u := *c.base
	u.Path += fmt.Sprintf("/accounts/%s/storage/kv/namespaces/%s", c.accountID, id)
	for _, e := range elem {
		u.Path += "/" + e
	}
	return &u, nil
}

func (c *Client) valueURL(name, key string, q url.Values) (string, error) {
	u, err := c.nsURL(name, "values")
	if err != nil {
		return "", err
	}
	u.RawPath = u.Path + "/" + url.PathEscape(key)
	u.Path += "/" + key
	u.RawQuery = q.Encode()
	return u.String(), nil
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
		Count  int    `json:"count"`
	} `json:"result_info"`
}

func (c *Client) do(ctx context.Context, method, rawURL, contentType string, body io.Reader) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, rawURL, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return c.http.Do(req)
}

func decode(resp *http.Response) (envelope, error) {
	defer resp.Body.Close()
	var env envelope
	if err := json.NewDecoder(io.LimitReader(resp.Body, 32<<20)).Decode(&env); err != nil {
		return env, fmt.Errorf("kvrest: %s: decode: %w", resp.Status, err)
	}
	if !env.Success {
		msg := resp.Status
		if len(env.Errors) > 0 {
			msg = fmt.Sprintf("%d %s", env.Errors[0].Code, env.Errors[0].Message)
		}
		return env, fmt.Errorf("kvrest: %s", msg)
	}
	return env, nil
}

// Put writes body under key in namespace name. A positive ttl sets expiration_ttl, in whole seconds.
func (c *Client) Put(ctx context.Context, name, key string, body []byte, ttl time.Duration) error {
	q := url.Values{}
	if ttl > 0 {
		q.Set("expiration_ttl", strconv.FormatInt(int64(ttl/time.Second), 10))
	}
	u, err := c.valueURL(name, key, q)
	if err != nil {
		return err
	}
	resp, err := c.do(ctx, http.MethodPut, u, "application/octet-stream", bytes.NewReader(body))
	if err != nil {
		return err
	}
	_, err = decode(resp)
	return err
}

// Get reads key from namespace name.
func (c *Client) Get(ctx context.Context, name, key string) ([]byte, error) {
	u, err := c.valueURL(name, key, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.do(ctx, http.MethodGet, u, "", nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return nil, ErrNotFound
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("kvrest: get %s: %s", key, resp.Status)
	}
	return io.ReadAll(io.LimitReader(resp.Body, 25<<20))
}

// KeyInfo is one listed key.
type KeyInfo struct {
	Name       string          `json:"name"`
	Expiration int64           `json:"expiration,omitempty"`
	Metadata   json.RawMessage `json:"metadata,omitempty"`
}

// ListKeys returns one page of keys under prefix; next is "" after the last.
func (c *Client) ListKeys(ctx context.Context, name, prefix, cursor string, limit int) (keys []KeyInfo, next string, err error) {
	id, err := c.namespaceID(name)
	if err != nil {
		return nil, "", err
	}
	q := url.Values{}
	q.Set("limit", strconv.Itoa(limit))
	if prefix != "" {
		q.Set("prefix", prefix)
	}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	u := fmt.Sprintf("%s/accounts/%s/storage/kv/namespaces/%s/keys?%s", c.base, c.accountID, id, q.Encode())
	resp, err := c.do(ctx, http.MethodGet, u, "", nil)
	if err != nil {
		return nil, "", err
	}
	env, err := decode(resp)
	if err != nil {
		return nil, "", err
	}
	if err := json.Unmarshal(env.Result, &keys); err != nil {
		return nil, "", err
	}
	return keys, env.ResultInfo.Cursor, nil
}

// BulkEntry is one pair of a bulk write.
type BulkEntry struct {
	Key           string `json:"key"`
	Value         string `json:"value"`
	Base64        bool   `json:"base64,omitempty"`
	Expiration    int64  `json:"expiration,omitempty"`
	ExpirationTTL int64  `json:"expiration_ttl,omitempty"`
	Metadata      any    `json:"metadata,omitempty"`
}

// BulkPut writes entries in one request. Callers keep batches at or under MaxBulkWrite.
func (c *Client) BulkPut(ctx context.Context, name string, entries []BulkEntry) (failed []string, err error) {
	u, err := c.nsURL(name, "bulk")
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(entries)
	if err != nil {
		return nil, err
	}
	resp, err := c.do(ctx, http.MethodPut, u.String(), "application/json", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	env, err := decode(resp)
	if err != nil {
		return nil, err
	}
	var res struct {
		Unsuccessful []string `json:"unsuccessful_keys"`
	}
	_ = json.Unmarshal(env.Result, &res)
	return res.Unsuccessful, nil
}
