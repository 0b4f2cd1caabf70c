// Package restkv is the backend's adapter over the Cloudflare REST API for
// Workers KV.
package restkv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/option"
	"github.com/cloudflare/cloudflare-go/v6/packages/pagination"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// ErrNotFound is returned by Get for a missing key.
var ErrNotFound = errors.New("restkv: not found")

// Client talks to one namespace.
type Client struct {
	cf        *cloudflare.Client
	account   string
	namespace string
}

// New returns a client authenticated with an API token.
func New(token, account, namespace string) *Client {
	return &Client{
		cf:        cloudflare.NewClient(option.WithAPIToken(token), option.WithMaxRetries(3)),
		account:   account,
		namespace: namespace,
	}
}

// API exposes the SDK's KV service for calls the adapter does not model.
func (c *Client) API() *kv.NamespaceService { return c.cf.KV.Namespaces }

// Account is the account id the client was built with.
func (c *Client) Account() string { return c.account }

// Namespace is the namespace id the client was built with.
func (c *Client) Namespace() string { return c.namespace }

// Get returns the value of key; found is false on a 404.
func (c *Client) Get(ctx context.Context, key string) (value []byte, found bool, err error) {
	resp, err := c.cf.KV.Namespaces.Values.Get(ctx, c.namespace, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(c.account),
	})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("kv get %s: %w", key, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, false, fmt.Errorf("kv get %s: %w", key, err)
	}
	return b, true, nil
}

// Put writes value under key; ttl under a minute is raised to a minute and a
// zero ttl means no expiry.
func (c *Client) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	if ttl > 0 {
		if ttl < time.Minute {
			ttl = time.Minute
		}
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	if _, err := c.cf.KV.Namespaces.Values.Update(ctx, c.namespace, key, params); err != nil {
		return fmt.Errorf("kv put %s: %w", key, err)
	}
	return nil
}

// Delete removes key.
func (c *Client) Delete(ctx context.Context, key string) error {
	_, err := c.cf.KV.Namespaces.Values.Delete(ctx, c.namespace, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(c.account),
	})
	if err != nil {
		return fmt.Errorf("kv delete %s: %w", key, err)
	}
	return nil
}

// ListPage returns one page of keys under prefix.
func (c *Client) ListPage(ctx context.Context, prefix, cursor string, limit int) (*pagination.CursorLimitPagination[kv.Key], error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(c.account),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := c.cf.KV.Namespaces.Keys.List(ctx, c.namespace, params)
	if err != nil {
		return nil, fmt.Errorf("kv list %s: %w", prefix, err)
	}
	return page, nil
}

// Pair is one entry of a bulk write.
type Pair struct {
	Key      string
	Value    string
	TTL      time.Duration
	Metadata map[string]any
}

// BulkPut writes up to 10,000 pairs in one request.
func (c *Client) BulkPut(ctx context.Context, pairs []Pair) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(pairs))
	for _, p := range pairs {
		b := kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F(p.Key), Value: cloudflare.F(p.Value)}
		if p.TTL > 0 {
			b.ExpirationTTL = cloudflare.F(max(p.TTL, time.Minute).Seconds())
		}
		if p.Metadata != nil {
			b.Metadata = cloudflare.F[any](p.Metadata)
		}
		body = append(body, b)
	}
	_, err := c.cf.KV.Namespaces.BulkUpdate(ctx, c.namespace, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(c.account),
		Body:      body,
	})
	if err != nil {
		return fmt.Errorf("kv bulk put (%d pairs): %w", len(pairs), err)
	}
	return nil
}
