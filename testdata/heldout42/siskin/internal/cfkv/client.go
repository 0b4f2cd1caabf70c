// Package cfkv is the backend's adapter over the Cloudflare REST API for
// Workers KV. Every call is bounded by the client's timeout.
package cfkv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/cloudflare/cloudflare-go/v4/option"
)

// DefaultTimeout bounds a single REST call when the caller has no tighter deadline.
const DefaultTimeout = 8 * time.Second

// Client talks to one KV namespace of one account.
type Client struct {
	api       *cloudflare.Client
	accountID string
	namespace string
	timeout   time.Duration
}

// Config is read from the environment in cmd/siskin-api.
type Config struct {
	APIToken    string
	AccountID   string
	NamespaceID string
	Timeout     time.Duration
}

// New builds a client from cfg.
func New(cfg Config) *Client {
	api := cloudflare.NewClient(option.WithAPIToken(cfg.APIToken))
	t := cfg.Timeout
	if t <= 0 {
		t = DefaultTimeout
	}
	return &Client{api: api, accountID: cfg.AccountID, namespace: cfg.NamespaceID, timeout: t}
}

// API exposes the underlying SDK client for the few callers that need the
// full surface (bulk endpoints, auto-paging).
func (c *Client) API() *cloudflare.Client { return c.api }

// AccountID returns the account every request is made against.
func (c *Client) AccountID() string { return c.accountID }

// Namespace returns the namespace ID this client writes to.
func (c *Client) Namespace() string { return c.namespace }

// WithNamespace returns a copy of c bound to another namespace.
func (c *Client) WithNamespace(ns string) *Client {
	cp := *c
	cp.namespace = ns
	return &cp
}

// IsNotFound reports whether err is the REST API's 404 for a missing key.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

func (c *Client) bounded(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, c.timeout)
}

// Get returns the raw value stored under key.
func (c *Client) Get(ctx context.Context, key string) ([]byte, error) {
	return c.GetValue(ctx, c.namespace, key)
}

// UpdateParams is the base request for a write of value; callers add
// expiration or metadata before passing it to Update.
func (c *Client) UpdateParams(value []byte) kv.NamespaceValueUpdateParams {
	return kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.accountID),
		Value:     cloudflare.F(string(value)),
	}
}

// Update sends a fully assembled write request for key.
func (c *Client) Update(ctx context.Context, key string, p kv.NamespaceValueUpdateParams) error {
	ctx, cancel := c.bounded(ctx)
	defer cancel()
	_, err := c.api.KV.Namespaces.Values.Update(ctx, c.namespace, key, p)
	if err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// Put writes value under key. A positive ttl shorter than KV's minimum is
// raised to one minute; zero stores the value without expiry.
func (c *Client) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	p := c.UpdateParams(value)
	if ttl > 0 {
		if ttl < time.Minute {
			ttl = time.Minute
		}
		p.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	return c.Update(ctx, key, p)
}

// Delete removes key.
func (c *Client) Delete(ctx context.Context, key string) error {
	return c.DeleteValue(ctx, c.namespace, key)
}

// ListPage returns one page of keys under prefix and the cursor for the next
// page ("" when there is none).
func (c *Client) ListPage(ctx context.Context, prefix, cursor string, limit int) ([]kv.Key, string, error) {
	ctx, cancel := c.bounded(ctx)
	defer cancel()
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(c.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := c.api.KV.Namespaces.Keys.List(ctx, c.namespace, params)
	if err != nil {
		return nil, "", err
	}
	return page.Result, page.ResultInfo.Cursor, nil
}

// GetValue implements kvdb.DBTX.
func (c *Client) GetValue(ctx context.Context, namespace, key string) ([]byte, error) {
	ctx, cancel := c.bounded(ctx)
	defer cancel()
	res, err := c.api.KV.Namespaces.Values.Get(ctx, namespace, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(c.accountID),
	})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// PutValue implements kvdb.DBTX. ttlSeconds of zero means no expiry.
func (c *Client) PutValue(ctx context.Context, namespace, key string, value []byte, ttlSeconds int) error {
	ctx, cancel := c.bounded(ctx)
	defer cancel()
	p := c.UpdateParams(value)
	if ttlSeconds > 0 {
		p.ExpirationTTL = cloudflare.F(float64(ttlSeconds))
	}
	_, err := c.api.KV.Namespaces.Values.Update(ctx, namespace, key, p)
	return err
}

// DeleteValue implements kvdb.DBTX.
func (c *Client) DeleteValue(ctx context.Context, namespace, key string) error {
	ctx, cancel := c.bounded(ctx)
	defer cancel()
	_, err := c.api.KV.Namespaces.Values.Delete(ctx, namespace, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(c.accountID),
	})
	return err
}
