// Package kvrest talks to the key-value REST API with plain net/http. It is
// used by the export and maintenance tools, which run where pulling in the
// full SDK is not wanted, and for endpoints we need finer control over.
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

const defaultBase = "https://api.cloudflare.com/client/v4"

// Config selects the account and the namespace of each environment.
type Config struct {
	BaseURL    string
	AccountID  string
	Token      string
	Env        string
	Namespaces map[string]string // env -> namespace id
	Timeout    time.Duration
}

// Client is a minimal REST client for one account.
type Client struct {
	cfg  Config
	http *http.Client
}

// New returns a client for cfg.
func New(cfg Config) *Client {
	if cfg.BaseURL == "" {
		cfg.BaseURL = defaultBase
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 15 * time.Second
	}
	return &Client{cfg: cfg, http: &http.Client{Timeout: cfg.Timeout}}
}

// ErrNotFound is returned for keys that do not exist.
var ErrNotFound = errors.New("kvrest: key not found")

// APIError is a non-2xx answer of the API.
type APIError struct {
	Status int
	Body   string
}

func (e *APIError) Error() string { return fmt.Sprintf("kvrest: HTTP %d: %s", e.Status, e.Body) }

// namespace resolves the namespace of the current environment on every
// call, so a client re-pointed with UseEnv writes to the new namespace.
func (c *Client) namespace() (string, error) {
	id, ok := c.cfg.Namespaces[c.cfg.Env]
	if !ok {
		return "", fmt.Errorf("kvrest: no namespace for env %q", c.cfg.Env)
	}
	return id, nil
}

// UseEnv returns a copy of c bound to another environment.
func (c *Client) UseEnv(env string) *Client {
	cp := *c
	cp.cfg.Env = env
	return &cp
}

func (c *Client) nsURL(suffix string) (string, error) {
	ns, err := c.namespace()
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s/accounts/%s/storage/kv/namespaces/%s%s", c.cfg.BaseURL, c.cfg.AccountID, ns, suffix), nil
}

func (c *Client) do(ctx context.Context, method, rawURL string, body io.Reader, contentType string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, rawURL, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.cfg.Token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 32<<20))
	if err != nil {
		return nil, err
	}
	if res.StatusCode == http.StatusNotFound {
		return nil, ErrNotFound
	}
	if res.StatusCode/100 != 2 {
		return nil, &APIError{Status: res.StatusCode, Body: string(b)}
	}
	return b, nil
}

// PutValue writes one value. ttlSeconds of zero means no expiry.
func (c *Client) PutValue(ctx context.Context, key string, value []byte, ttlSeconds int) error {
	u, err := c.nsURL("/values/" + url.PathEscape(key))
	if err != nil {
		return err
	}
	if ttlSeconds > 0 {
		q := url.Values{}
		q.Set("expiration_ttl", strconv.Itoa(ttlSeconds))
		u += "?" + q.Encode()
	}
	_, err = c.do(ctx, http.MethodPut, u, bytes.NewReader(value), "application/octet-stream")
	return err
}

// DeleteValue removes one key.
func (c *Client) DeleteValue(ctx context.Context, key string) error {
	u, err := c.nsURL("/values/" + url.PathEscape(key))
	if err != nil {
		return err
	}
	_, err = c.do(ctx, http.MethodDelete, u, nil, "")
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// Key is one listed key.
type Key struct {
	Name       string         `json:"name"`
	Expiration int64          `json:"expiration,omitempty"`
	Metadata   map[string]any `json:"metadata,omitempty"`
}

// Page is one page of a key listing.
type Page struct {
	Keys   []Key
	Cursor string
}

type listEnvelope struct {
	Success    bool  `json:"success"`
	Result     []Key `json:"result"`
	ResultInfo struct {
		Count  int    `json:"count"`
		Cursor string `json:"cursor"`
	} `json:"result_info"`
}

// ListKeys fetches one page of keys under prefix.
func (c *Client) ListKeys(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	ns, err := c.namespace()
	if err != nil {
		return Page{}, err
	}
	base, err := url.Parse(c.cfg.BaseURL)
	if err != nil {
		return Page{}, err
	}
	u := url.URL{
		Scheme: base.Scheme,
		Host:   base.Host,
		Path:   base.Path + "/accounts/" + c.cfg.AccountID + "/storage/kv/namespaces/" + ns + "/keys",
	}
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
	u.RawQuery = q.Encode()
	b, err := c.do(ctx, http.MethodGet, u.String(), nil, "")
	if err != nil {
		return Page{}, err
	}
	var env listEnvelope
	if err := json.Unmarshal(b, &env); err != nil {
		return Page{}, err
	}
	return Page{Keys: env.Result, Cursor: env.ResultInfo.Cursor}, nil
}
