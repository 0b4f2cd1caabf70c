// Package kvstore is the backend's access layer for Workers KV. It talks to
// the Cloudflare REST API through cloudflare-go.
package kvstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
)

// ErrNotFound is returned by Get for a key that does not exist (or expired).
var ErrNotFound = errors.New("kvstore: key not found")

// maxBulk is the number of pairs the bulk endpoints accept per request.
const maxBulk = 10000

// Client is one KV namespace of one account.
type Client struct {
	api       *cloudflare.Client
	accountID string
	namespace string
}

func New(api *cloudflare.Client, accountID, namespace string) *Client {
	return &Client{api: api, accountID: accountID, namespace: namespace}
}

// Namespace is the namespace ID.
func (c *Client) Namespace() string { return c.namespace }

// AccountID is the account that owns the namespace.
func (c *Client) AccountID() string { return c.accountID }

// API exposes the SDK service for the calls this package does not wrap.
func (c *Client) API() *kv.NamespaceService { return c.api.KV.Namespaces }

// Get returns the value of key, or ErrNotFound.
func (c *Client) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := c.api.KV.Namespaces.Values.Get(ctx, c.namespace, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(c.accountID),
	})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return nil, ErrNotFound
		}
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Put writes value under key. A zero ttl keeps the value until it is
// overwritten or deleted.
func (c *Client) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.accountID),
		Value:     cloudflare.F(string(value)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	_, err := c.api.KV.Namespaces.Values.Update(ctx, c.namespace, key, params)
	return err
}

func (c *Client) Delete(ctx context.Context, key string) error {
	_, err := c.api.KV.Namespaces.Values.Delete(ctx, c.namespace, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(c.accountID),
	})
	return err
}

// Page returns one page of keys under prefix and the cursor of the next page,
// which is empty once the listing is complete.
func (c *Client) Page(ctx context.Context, prefix, cursor string, limit int) ([]kv.Key, string, error) {
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

// PutMany writes entries through the bulk endpoint, maxBulk pairs per request.
func (c *Client) PutMany(ctx context.Context, entries []kv.NamespaceBulkUpdateParamsBody) error {
	for start := 0; start < len(entries); start += maxBulk {
		end := min(start+maxBulk, len(entries))
		res, err := c.api.KV.Namespaces.BulkUpdate(ctx, c.namespace, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(c.accountID),
			Body:      entries[start:end],
		})
		if err != nil {
			return fmt.Errorf("bulk write %d-%d: %w", start, end, err)
		}
		if len(res.UnsuccessfulKeys) > 0 {
			return fmt.Errorf("bulk write %d-%d: %d keys failed", start, end, len(res.UnsuccessfulKeys))
		}
	}
	return nil
}

// DeleteMany removes keys through the bulk endpoint, maxBulk keys per request.
func (c *Client) DeleteMany(ctx context.Context, names []string) error {
	for start := 0; start < len(names); start += maxBulk {
		end := min(start+maxBulk, len(names))
		if _, err := c.api.KV.Namespaces.BulkDelete(ctx, c.namespace, kv.NamespaceBulkDeleteParams{
			AccountID: cloudflare.F(c.accountID),
			Body:      names[start:end],
		}); err != nil {
			return fmt.Errorf("bulk delete %d-%d: %w", start, end, err)
		}
	}
	return nil
}

// Update reads key, passes its value to fn (nil when the key does not exist)
// and stores what fn returns.
func (c *Client) Update(ctx context.Context, key string, ttl time.Duration, fn func(old []byte) ([]byte, error)) error {
	old, err := c.Get(ctx, key)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	next, err := fn(old)
	if err != nil {
		return err
	}
	return c.Put(ctx, key, next, ttl) // EXPECT kvrace
}
