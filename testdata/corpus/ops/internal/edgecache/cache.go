// Package edgecache is the read-through cache the storefront API keeps in
// Workers KV, so the edge worker can serve product pages without calling us.
package edgecache

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
)

// KV rejects expirations shorter than this.
const minTTL = time.Minute

// Cache is a KV namespace used as a cache.
type Cache struct {
	client    *cloudflare.Client
	account   string
	namespace string
}

// New returns a Cache backed by namespace.
func New(client *cloudflare.Client, account, namespace string) *Cache {
	return &Cache{client: client, account: account, namespace: namespace}
}

// Get returns the cached value and whether it was present.
func (c *Cache) Get(ctx context.Context, key string) (string, bool, error) {
	res, err := c.client.KV.Namespaces.Values.Get(ctx, c.namespace, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(c.account),
	})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return "", false, nil
		}
		return "", false, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return "", false, err
	}
	return string(b), true, nil
}

// Put caches value for ttl. Anything shorter than a minute is stored for a
// minute.
func (c *Cache) Put(ctx context.Context, key, value string, ttl time.Duration) error {
	if ttl < minTTL {
		ttl = minTTL
	}
	_, err := c.client.KV.Namespaces.Values.Update(ctx, c.namespace, key, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(c.account),
		Value:         cloudflare.F(value),
		ExpirationTTL: cloudflare.F(ttl.Seconds()),
	})
	if err != nil {
		return fmt.Errorf("edgecache put %s: %w", key, err)
	}
	return nil
}

// Invalidate drops key so the next read goes to the origin.
func (c *Cache) Invalidate(ctx context.Context, key string) error {
	_, err := c.client.KV.Namespaces.Values.Delete(ctx, c.namespace, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(c.account),
	})
	return err
}
