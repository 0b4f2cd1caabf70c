//go:build js && wasm

// Package cache is a typed read-through cache over a KV namespace.
package cache

import (
	"encoding/json"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// Cache stores values of type V under keys derived from K.
type Cache[K comparable, V any] struct {
	ns    *kv.Namespace
	keyOf func(K) string
	ttl   time.Duration
	edge  int
}

// New returns a cache that writes entries for ttl. edgeTTL, when non-zero,
// is passed to reads as the edge cache TTL in seconds.
func New[K comparable, V any](ns *kv.Namespace, keyOf func(K) string, ttl time.Duration, edgeTTL int) *Cache[K, V] {
	return &Cache[K, V]{ns: ns, keyOf: keyOf, ttl: ttl, edge: edgeTTL}
}

// Get returns the cached value for k.
func (c *Cache[K, V]) Get(k K) (V, bool, error) {
	var zero V
	var opts *kv.GetOptions
	if c.edge > 0 {
		opts = &kv.GetOptions{CacheTTL: c.edge}
	}
	raw, err := c.ns.GetString(c.keyOf(k), opts)
	if err != nil {
		return zero, false, err
	}
	if raw == "<null>" {
		return zero, false, nil
	}
	var v V
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return zero, false, nil
	}
	return v, true, nil
}

// Set writes v for k.
func (c *Cache[K, V]) Set(k K, v V) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return c.ns.PutString(c.keyOf(k), string(b), &kv.PutOptions{ExpirationTTL: int(c.ttl.Seconds())})
}

// GetOrLoad returns the cached value or calls load and caches its result.
func (c *Cache[K, V]) GetOrLoad(k K, load func(K) (V, error)) (V, error) {
	if v, ok, err := c.Get(k); err == nil && ok {
		return v, nil
	}
	v, err := load(k)
	if err != nil {
		return v, err
	}
	_ = c.Set(k, v)
	return v, nil
}

// Invalidate removes the entry for k.
func (c *Cache[K, V]) Invalidate(k K) error {
	return c.ns.Delete(c.keyOf(k))
}
