package storemw

import (
	"context"
	"sync"
	"time"

	"example.com/billing/internal/storage"
)

// Cache is a tiny TTL map. It is not an LRU; callers bound the key space.
type Cache[K comparable, V any] struct {
	mu    sync.Mutex
	ttl   time.Duration
	items map[K]cacheItem[V]
	now   func() time.Time
}

type cacheItem[V any] struct {
	v   V
	exp time.Time
}

// NewCache returns a cache whose entries live for ttl.
func NewCache[K comparable, V any](ttl time.Duration) *Cache[K, V] {
	return &Cache[K, V]{ttl: ttl, items: make(map[K]cacheItem[V]), now: time.Now}
}

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

func (c *Cache[K, V]) Set(k K, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.items[k] = cacheItem[V]{v: v, exp: c.now().Add(c.ttl)}
}

func (c *Cache[K, V]) Drop(k K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.items, k)
}

// Cached serves repeated reads from process memory for a short while.
type Cached struct {
	next  storage.Store
	local *Cache[string, []byte]
}

// WithLocalCache wraps next with an in-process cache of the given ttl.
func WithLocalCache(next storage.Store, ttl time.Duration) *Cached {
	return &Cached{next: next, local: NewCache[string, []byte](ttl)}
}

func (c *Cached) Get(ctx context.Context, key string) ([]byte, error) {
	if v, ok := c.local.Get(key); ok {
		return v, nil
	}
	v, err := c.next.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	c.local.Set(key, v)
	return v, nil
}

func (c *Cached) Put(ctx context.Context, key string, value []byte, opts ...storage.PutOption) error {
	if err := c.next.Put(ctx, key, value, opts...); err != nil {
		return err
	}
	c.local.Set(key, value)
	return nil
}

func (c *Cached) Delete(ctx context.Context, key string) error {
	c.local.Drop(key)
	return c.next.Delete(ctx, key)
}

func (c *Cached) List(ctx context.Context, opts storage.ListOptions) (storage.Page, error) {
	return c.next.List(ctx, opts)
}
