//go:build js && wasm

// Package edgecache is a read-through cache in a dedicated KV namespace for
// data whose source of truth is elsewhere (exchange rates, static content).
package edgecache

import (
	"context"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare"
)

// Loader produces the value for key on a cache miss.
type Loader func(ctx context.Context, key string) (string, error)

// Cache reads through to OnMiss and stores results with a TTL.
type Cache struct {
	ns *cloudflare.KVNamespace

	// TTL applies to values stored after a miss.
	TTL time.Duration
	// EdgeSeconds is the cacheTtl used on reads.
	EdgeSeconds int
	// OnMiss loads a value that is not cached. Nil means misses are errors.
	OnMiss Loader
	// OnError observes write failures, which never fail the read.
	OnError func(key string, err error)
}

// New wraps the namespace bound as binding.
func New(binding string, ttl time.Duration, edgeSeconds int) (*Cache, error) {
	ns, err := cloudflare.NewKVNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("edgecache: %w", err)
	}
	return &Cache{ns: ns, TTL: ttl, EdgeSeconds: max(edgeSeconds, 30)}, nil
}

// Get returns the cached value for key, loading it through OnMiss if needed.
func (c *Cache) Get(ctx context.Context, key string) (string, error) {
	return c.GetWith(ctx, key, c.OnMiss)
}

// GetWith is Get with an explicit loader.
func (c *Cache) GetWith(ctx context.Context, key string, load Loader) (string, error) {
	v, err := c.ns.GetString(key, &cloudflare.KVNamespaceGetOptions{CacheTTL: c.EdgeSeconds})
	if err == nil && v != "" { // EXPECT kvnull
		return v, nil
	}
	if load == nil {
		return "", fmt.Errorf("edgecache: miss for %s", key)
	}
	v, err = load(ctx, key)
	if err != nil {
		return "", err
	}
	if err := c.Set(ctx, key, v, c.TTL); err != nil && c.OnError != nil {
		c.OnError(key, err)
	}
	return v, nil
}

// Set stores v for at least a minute.
func (c *Cache) Set(_ context.Context, key, v string, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return c.ns.PutString(key, v, &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(ttl.Seconds())})
}

// Peek returns whatever is stored under key without loading on a miss.
func (c *Cache) Peek(key string) (string, error) {
	return c.ns.GetString(key, nil)
}
