//go:build js && wasm

package kvx

import (
	"time"

	"github.com/syumai/workers/cloudflare"
)

// Cache is a read-through cache of values computed elsewhere.
type Cache struct {
	ns      *Namespace
	ttl     int
	edgeTTL int
}

type CacheOption func(*Cache)

// WithTTL sets how long a cached value lives in KV.
func WithTTL(d time.Duration) CacheOption {
	return func(c *Cache) { c.ttl = int(d.Seconds()) }
}

// WithEdgeCache sets how long each location keeps its copy, in seconds.
func WithEdgeCache(seconds int) CacheOption {
	return func(c *Cache) { c.edgeTTL = seconds }
}

// NewCache returns a cache over ns; entries live five minutes unless configured.
func NewCache(ns *Namespace, opts ...CacheOption) *Cache {
	c := &Cache{ns: ns, ttl: 300}
	for _, o := range opts {
		o(c)
	}
	return c
}

// GetOrLoad returns the cached value of key, or calls load and caches its result.
func (c *Cache) GetOrLoad(key string, load func() ([]byte, error)) ([]byte, error) {
	var get *cloudflare.KVNamespaceGetOptions
	if c.edgeTTL > 0 {
		get = &cloudflare.KVNamespaceGetOptions{CacheTTL: c.edgeTTL}
	}
	v, err := c.ns.kv.GetString(key, get)
	if err == nil && v != Null {
		return []byte(v), nil
	}
	b, err := load()
	if err != nil {
		return nil, err
	}
	// Serve the fresh value even if caching it fails.
	_ = c.ns.kv.PutString(key, string(b), &cloudflare.KVNamespacePutOptions{ExpirationTTL: c.ttl})
	return b, nil
}
