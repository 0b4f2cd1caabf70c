// Package kvrest is the backend's adapter for Workers KV over the Cloudflare
// REST API.
package kvrest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
	"github.com/cloudflare/cloudflare-go/v3/option"
)

// ErrNotFound is returned by Get for a key that does not exist.
var ErrNotFound = errors.New("kvrest: key not found")

// MaxBulk is the number of pairs the bulk endpoint accepts per request.
const MaxBulk = 10_000

// Client is one KV namespace of one account.
type Client struct {
	api       *cloudflare.Client
	accountID string
	namespace string
}

// New returns a client for namespaceID.
func New(token, accountID, namespaceID string) *Client {
	api := cloudflare.NewClient(option.WithAPIToken(token), option.WithMaxRetries(2))
	return &Client{api: api, accountID: accountID, namespace: namespaceID}
}

// Get returns the value of key, or ErrNotFound.
func (c *Client) Get(ctx context.Context, key string) ([]byte, error) {
	b, err := c.GetRaw(ctx, key)
	var apiErr *cloudflare.Error
	if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
		return nil, ErrNotFound
	}
	return b, err
}

// GetRaw returns the value of key as the API reports it: a missing key is
// the API's 404 error.
func (c *Client) GetRaw(ctx context.Context, key string) ([]byte, error) {
	res, err := c.api.KV.Namespaces.Values.Get(ctx, c.namespace, url.PathEscape(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(c.accountID),
	})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Put writes value under key with no expiry.
func (c *Client) Put(ctx context.Context, key string, value []byte) error {
	return c.PutMeta(ctx, key, value, "{}")
}

// PutMeta writes value with JSON metadata.
func (c *Client) PutMeta(ctx context.Context, key string, value []byte, metadata string) error {
	_, err := c.api.KV.Namespaces.Values.Update(ctx, c.namespace, url.PathEscape(key), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.accountID),
		Metadata:  cloudflare.F(metadata),
		Value:     cloudflare.F(string(value)),
	})
	return err
}

// PutTTL writes value that expires after ttl. The SDK's single-value write
// carries no expiry, so this goes through the bulk endpoint.
func (c *Client) PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return c.Bulk(ctx, []Pair{{Key: key, Value: value, TTL: ttl}})
}

// Pair is one entry of a bulk write.
type Pair struct {
	Key       string
	Value     []byte
	TTL       time.Duration
	ExpiresAt time.Time
	Metadata  map[string]any
}

// Bulk writes pairs, MaxBulk per request.
func (c *Client) Bulk(ctx context.Context, pairs []Pair) error {
	for start := 0; start < len(pairs); start += MaxBulk {
		chunk := pairs[start:min(start+MaxBulk, len(pairs))]
		body := make([]kv.NamespaceBulkUpdateParamsBody, len(chunk))
		for i, p := range chunk {
			body[i] = kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F(p.Key), Value: cloudflare.F(string(p.Value))}
			if p.TTL > 0 {
				body[i].ExpirationTTL = cloudflare.F(p.TTL.Seconds())
			}
			if !p.ExpiresAt.IsZero() {
				body[i].Expiration = cloudflare.F(float64(p.ExpiresAt.Unix()))
			}
			if p.Metadata != nil {
				body[i].Metadata = cloudflare.F(p.Metadata)
			}
		}
		_, err := c.api.KV.Namespaces.Bulk.Update(ctx, c.namespace, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(c.accountID),
			Body:      body,
		})
		if err != nil {
			return fmt.Errorf("kv bulk at %d: %w", start, err)
		}
	}
	return nil
}

// Delete removes key.
func (c *Client) Delete(ctx context.Context, key string) error {
	_, err := c.api.KV.Namespaces.Values.Delete(ctx, c.namespace, url.PathEscape(key), kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(c.accountID),
	})
	return err
}

// Page is one page of a key listing. Cursor is empty on the last page.
type Page struct {
	Keys   []kv.Key
	Cursor string
}

// ListPage returns one page of keys under prefix.
func (c *Client) ListPage(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(c.accountID), Prefix: cloudflare.F(prefix)}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	if limit > 0 {
		params.Limit = cloudflare.F(float64(limit))
	}
	res, err := c.api.KV.Namespaces.Keys.List(ctx, c.namespace, params)
	if err != nil {
		return Page{}, err
	}
	return Page{Keys: res.Result, Cursor: res.ResultInfo.Cursor}, nil
}

// SDK exposes the namespace service and the IDs it needs, for calls the
// adapter does not wrap.
func (c *Client) SDK() (svc *kv.NamespaceService, accountID, namespaceID string) {
	return c.api.KV.Namespaces, c.accountID, c.namespace
}
