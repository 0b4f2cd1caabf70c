// Package cfkv2 is the Workers KV backend built on cloudflare-go v2. It backs
// the edge cache and the housekeeping, revocation and inventory stores.
package cfkv2

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"
	"github.com/cloudflare/cloudflare-go/v2/option"
)

// ErrMiss is returned when a key does not exist.
var ErrMiss = errors.New("cfkv2: miss")

// Namespace is a handle on one KV namespace.
type Namespace struct {
	client  *cloudflare.Client
	account string
	id      string
}

// Open returns a handle using the given API token.
func Open(token, account, namespaceID string) *Namespace {
	client := cloudflare.NewClient(option.WithAPIToken(token), option.WithMaxRetries(3))
	return &Namespace{client: client, account: account, id: namespaceID}
}

func (n *Namespace) values() *kv.NamespaceValueService { return n.client.KV.Namespaces.Values }

func isMiss(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// read returns the value under key or ErrMiss.
func (n *Namespace) read(ctx context.Context, key string) ([]byte, error) {
	res, err := n.values().Get(ctx, n.id, url.PathEscape(key), kv.NamespaceValueGetParams{AccountID: cloudflare.F(n.account)})
	if isMiss(err) {
		return nil, ErrMiss
	}
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// write stores value without expiry.
func (n *Namespace) write(ctx context.Context, key string, value []byte) error {
	_, err := n.values().Update(ctx, n.id, url.PathEscape(key), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.account), Metadata: cloudflare.F("{}"), Value: cloudflare.F(string(value)),
	})
	return err
}

// Cache is a read-through edge cache. Lifetimes shorter than KV's minimum
// of one minute are raised to it.
type Cache struct{ *Namespace }

// NewCache wraps a namespace handle.
func NewCache(n *Namespace) *Cache { return &Cache{n} }

// Fetch returns the cached value or ErrMiss.
func (c *Cache) Fetch(ctx context.Context, key string) ([]byte, error) { return c.read(ctx, key) }

// Store caches value for ttl; zero keeps it until evicted.
func (c *Cache) Store(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl <= 0 {
		return c.write(ctx, key, value)
	}
	ttl = max(ttl, time.Minute)
	_, err := c.client.KV.Namespaces.Bulk.Update(ctx, c.id, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(c.account),
		Body: []kv.NamespaceBulkUpdateParamsBody{{
			Key:           cloudflare.F(key),
			Value:         cloudflare.F(string(value)),
			ExpirationTTL: cloudflare.F(ttl.Seconds()),
		}},
	})
	return err
}

// Evict drops a cached value.
func (c *Cache) Evict(ctx context.Context, key string) error {
	_, err := c.values().Delete(ctx, c.id, url.PathEscape(key), kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(c.account)})
	if isMiss(err) {
		return nil
	}
	return err
}
