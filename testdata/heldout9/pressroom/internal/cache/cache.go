// Package cache is a small in-isolate TTL cache. Workers isolates are reused
// across requests, so this saves KV reads for hot keys.
package cache

import (
	"sync"
	"time"
)

type item[V any] struct {
	v       V
	expires time.Time
}

// Cache maps K to V for a fixed time.
type Cache[K comparable, V any] struct {
	mu    sync.Mutex
	ttl   time.Duration
	max   int
	items map[K]item[V]
	now   func() time.Time
}

// New returns a cache that keeps at most max entries for ttl each.
func New[K comparable, V any](ttl time.Duration, max int) *Cache[K, V] {
	return &Cache[K, V]{ttl: ttl, max: max, items: make(map[K]item[V]), now: time.Now}
}

// Get returns the cached value for k.
func (c *Cache[K, V]) Get(k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	it, ok := c.items[k]
	if !ok || c.now().After(it.expires) {
		var zero V
		return zero, false
	}
	return it.v, true
}

// Set stores v under k, evicting an arbitrary entry when full.
func (c *Cache[K, V]) Set(k K, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.items) >= c.max {
		for old := range c.items {
			delete(c.items, old)
			break
		}
	}
	c.items[k] = item[V]{v: v, expires: c.now().Add(c.ttl)}
}

// Forget drops k.
func (c *Cache[K, V]) Forget(k K) {
	c.mu.Lock()
	delete(c.items, k)
	c.mu.Unlock()
}
