// Package kvhttp is a thin client for the Workers KV REST API. It exists
// because the sync daemon runs in environments where we pin the wire format
// ourselves (bulk writes, explicit query parameters) rather than pulling in
// the generated SDK.
package kvhttp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"example.com/edgeconf/internal/storage"
)

// DefaultBaseURL is the Cloudflare v4 API root.
const DefaultBaseURL = "https://api.cloudflare.com/client/v4"

const (
	valuePath = "/accounts/%s/storage/kv/namespaces/%s/values/%s"
	bulkPath  = "/accounts/%s/storage/kv/namespaces/%s/bulk"
	keysPath  = "/accounts/%s/storage/kv/namespaces/%s/keys"
)

// Config holds the credentials and the namespace the client writes to.
type Config struct {
	BaseURL     string
	APIToken    string
	AccountID   string
	NamespaceID string
	Timeout     time.Duration
}

// Client talks to one KV namespace over HTTPS.
type Client struct {
	cfg Config
	hc  *http.Client
}

// New returns a Client. A nil hc means a client with cfg.Timeout.
func New(cfg Config, hc *http.Client) *Client {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if hc == nil {
		timeout := cfg.Timeout
		if timeout == 0 {
			timeout = 15 * time.Second
		}
		hc = &http.Client{Timeout: timeout}
	}
	return &Client{cfg: cfg, hc: hc}
}

// PutOptions are the optional query parameters of a single-value write.
type PutOptions struct {
	// ExpirationTTL is a relative expiry in seconds (KV minimum: 60).
	ExpirationTTL int
	// Expiration is an absolute expiry in seconds since the epoch.
	Expiration int64
}

func (o PutOptions) query() url.Values {
	q := url.Values{}
	if o.ExpirationTTL > 0 {
		q.Set("expiration_ttl", strconv.Itoa(o.ExpirationTTL))
	}
	if o.Expiration > 0 {
		q.Set("expiration", strconv.FormatInt(o.Expiration, 10))
	}
	return q
}

// Pair is one element of a bulk write.
type Pair struct {
	Key           string `json:"key"`
	Value         string `json:"value"`
	Expiration    int64  `json:"expiration,omitempty"`
	ExpirationTTL int    `json:"expiration_ttl,omitempty"`
	Base64        bool   `json:"base64,omitempty"`
}

// APIError is a non-2xx answer from the API.
type APIError struct {
	Method string
	URL    string
	Status int
	Body   string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("kvhttp: %s %s: %d %s", e.Method, e.URL, e.Status, e.Body)
}

func (c *Client) valueURL(key string, q url.Values) string {
	u := c.cfg.BaseURL + fmt.Sprintf(valuePath, c.cfg.AccountID, c.cfg.NamespaceID, url.PathEscape(key))
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

func (c *Client) do(req *http.Request) ([]byte, error) {
	req.Header.Set("Authorization", "Bearer "+c.cfg.APIToken)
	res, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 32<<20))
	if err != nil {
		return nil, err
	}
	if res.StatusCode == http.StatusNotFound {
		return nil, storage.ErrNotFound
	}
	if res.StatusCode/100 != 2 {
		return nil, &APIError{Method: req.Method, URL: req.URL.Redacted(), Status: res.StatusCode, Body: string(body)}
	}
	return body, nil
}

// Get reads a value. A missing key yields storage.ErrNotFound.
func (c *Client) Get(ctx context.Context, key string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.valueURL(key, nil), nil)
	if err != nil {
		return nil, err
	}
	return c.do(req)
}

// Put writes a value with the given options.
func (c *Client) Put(ctx context.Context, key string, val []byte, opts PutOptions) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, c.valueURL(key, opts.query()), bytes.NewReader(val))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	_, err = c.do(req)
	return err
}

// Delete removes a value.
func (c *Client) Delete(ctx context.Context, key string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, c.valueURL(key, nil), nil)
	if err != nil {
		return err
	}
	_, err = c.do(req)
	if storage.IsNotFound(err) {
		return nil
	}
	return err
}

// BulkPut writes up to 10,000 pairs in one request.
func (c *Client) BulkPut(ctx context.Context, pairs []Pair) error {
	const maxBulk = 10000
	for len(pairs) > 0 {
		n := min(len(pairs), maxBulk)
		body, err := json.Marshal(pairs[:n])
		if err != nil {
			return err
		}
		u := c.cfg.BaseURL + fmt.Sprintf(bulkPath, c.cfg.AccountID, c.cfg.NamespaceID)
		req, err := http.NewRequestWithContext(ctx, http.MethodPut, u, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		if _, err := c.do(req); err != nil {
			return fmt.Errorf("kvhttp: bulk put of %d pairs: %w", n, err)
		}
		pairs = pairs[n:]
	}
	return nil
}

type listResponse struct {
	Result []struct {
		Name       string `json:"name"`
		Expiration int64  `json:"expiration"`
	} `json:"result"`
	ResultInfo struct {
		Cursor string `json:"cursor"`
		Count  int    `json:"count"`
	} `json:"result_info"`
}

// ListKeys returns all key names under prefix.
func (c *Client) ListKeys(ctx context.Context, prefix string) ([]string, error) {
	base, err := url.Parse(c.cfg.BaseURL + fmt.Sprintf(keysPath, c.cfg.AccountID, c.cfg.NamespaceID))
	if err != nil {
		return nil, err
	}
	var (
		names  []string
		cursor string
	)
	for {
		q := url.Values{"limit": {"1000"}}
		if prefix != "" {
			q.Set("prefix", prefix)
		}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		u := *base
		u.RawQuery = q.Encode()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err != nil {
			return nil, err
		}
		body, err := c.do(req)
		if err != nil {
			return nil, err
		}
		var page listResponse
		if err := json.Unmarshal(body, &page); err != nil {
			return nil, fmt.Errorf("kvhttp: decode key list: %w", err)
		}
		for _, k := range page.Result {
			names = append(names, k.Name)
		}
		if page.ResultInfo.Cursor == "" {
			return names, nil
		}
		cursor = page.ResultInfo.Cursor
	}
}

// Store adapts a Client to the storage ports.
type Store struct {
	c *Client
}

var (
	_ storage.ExpiringStore = Store{}
	_ storage.KeyLister     = Store{}
)

// NewStore wraps c.
func NewStore(c *Client) Store { return Store{c: c} }

func (s Store) Get(ctx context.Context, key string) ([]byte, error) {
	return s.c.Get(ctx, key)
}

func (s Store) Set(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	return s.c.Put(ctx, key, val, PutOptions{ExpirationTTL: int(ttl / time.Second)})
}

func (s Store) SetAt(ctx context.Context, key string, val []byte, at time.Time) error {
	return s.c.Put(ctx, key, val, PutOptions{Expiration: at.Unix()})
}

func (s Store) Delete(ctx context.Context, key string) error {
	return s.c.Delete(ctx, key)
}

func (s Store) List(ctx context.Context, prefix string) ([]string, error) {
	return s.c.ListKeys(ctx, prefix)
}
