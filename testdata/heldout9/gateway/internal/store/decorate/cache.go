package decorate

import (
	"context"
	"sync"
	"time"

	"example.com/gateway/internal/store"
)

// Cache is a small TTL map.
type Cache[K comparable, V any] struct {
	mu    sync.Mutex
	ttl   time.Duration
	items map[K]cacheEntry[V]
}

type cacheEntry[V any] struct {
	v  V
	at time.Time
}

// NewCache returns a cache whose entries live for ttl.
func NewCache[K comparable, V any](ttl time.Duration) *Cache[K, V] {
	return &Cache[K, V]{ttl: ttl, items: map[K]cacheEntry[V]{}}
}

// Load returns the cached value if it is still fresh.
func (c *Cache[K, V]) Load(k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[k]
	if !ok || time.Since(e.at) > c.ttl {
		var zero V
		return zero, false
	}
	return e.v, true
}

// Store remembers v under k.
func (c *Cache[K, V]) Store(k K, v V) {
	c.mu.Lock()
	c.items[k] = cacheEntry[V]{v: v, at: time.Now()}
	c.mu.Unlock()
}

// Forget drops k.
func (c *Cache[K, V]) Forget(k K) {
	c.mu.Lock()
	delete(c.items, k)
	c.mu.Unlock()
}

// Cached keeps recently read values in process memory.
type Cached struct {
	store.Store
	cache *Cache[string, []byte]
}

// WithCache wraps s with an in-process cache of the given lifetime.
func WithCache(s store.Store, ttl time.Duration) *Cached {
	return &Cached{Store: s, cache: NewCache[string, []byte](ttl)}
}

func (c *Cached) Get(ctx context.Context, key string) ([]byte, error) {
	if v, ok := c.cache.Load(key); ok {
		return v, nil
	}
	v, err := c.Store.Get(ctx, key)
	if err == nil {
		c.cache.Store(key, v)
	}
	return v, err
}

func (c *Cached) Put(ctx context.Context, key string, value []byte, opts ...store.PutOption) error {
	c.cache.Forget(key)
	return c.Store.Put(ctx, key, value, opts...)
}

func (c *Cached) Delete(ctx context.Context, key string) error {
	c.cache.Forget(key)
	return c.Store.Delete(ctx, key)
}
