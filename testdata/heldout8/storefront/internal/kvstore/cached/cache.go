// Package cached provides a small in-process TTL cache and a kvstore.Store
// decorator that keeps hot reads off the network.
package cached

import (
	"sync"
	"time"
)

// Cache is a size-bounded map with per-entry expiry. Eviction is arbitrary
// when full; it only needs to keep memory flat, not be an LRU.
type Cache[K comparable, V any] struct {
	mu      sync.Mutex
	items   map[K]item[V]
	ttl     time.Duration
	maxSize int
	now     func() time.Time
}

type item[V any] struct {
	v   V
	exp time.Time
}

// NewCache returns a cache holding up to maxSize entries for ttl each.
func NewCache[K comparable, V any](maxSize int, ttl time.Duration) *Cache[K, V] {
	return &Cache[K, V]{items: make(map[K]item[V], maxSize), ttl: ttl, maxSize: maxSize, now: time.Now}
}

// Get returns the cached value.
func (c *Cache[K, V]) Get(k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	it, ok := c.items[k]
	if !ok || c.now().After(it.exp) {
		var zero V
		return zero, false
	}
	return it.v, true
}

// Set stores v under k.
func (c *Cache[K, V]) Set(k K, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.items) >= c.maxSize {
		for old := range c.items {
			delete(c.items, old)
			break
		}
	}
	c.items[k] = item[V]{v: v, exp: c.now().Add(c.ttl)}
}

// Drop removes k.
func (c *Cache[K, V]) Drop(k K) {
	c.mu.Lock()
	delete(c.items, k)
	c.mu.Unlock()
}
