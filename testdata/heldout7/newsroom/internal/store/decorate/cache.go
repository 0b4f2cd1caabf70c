package decorate

import (
	"context"
	"strings"
	"sync"
	"time"

	"example.com/newsroom/internal/store"
)

// CacheOption configures a Cache.
type CacheOption func(*Cache)

// CacheFor sets how long values stay in the isolate-local map.
func CacheFor(d time.Duration) CacheOption { return func(c *Cache) { c.ttl = d } }

// OnlyPrefixes restricts caching to keys with one of the prefixes.
func OnlyPrefixes(p ...string) CacheOption { return func(c *Cache) { c.prefixes = p } }

type cached struct {
	v  []byte
	at time.Time
}

// Cache keeps recently read values in isolate memory. It never caches misses
// and drops an entry as soon as this isolate writes or deletes it.
type Cache struct {
	next     store.Store
	ttl      time.Duration
	prefixes []string

	mu   sync.Mutex
	vals map[string]cached
}

// WithCache wraps next.
func WithCache(next store.Store, opts ...CacheOption) *Cache {
	c := &Cache{next: next, ttl: 10 * time.Second, vals: map[string]cached{}}
	for _, o := range opts {
		o(c)
	}
	return c
}

func (c *Cache) cacheable(key string) bool {
	if len(c.prefixes) == 0 {
		return true
	}
	for _, p := range c.prefixes {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

func (c *Cache) Get(ctx context.Context, key string) ([]byte, error) {
	if c.cacheable(key) {
		c.mu.Lock()
		e, ok := c.vals[key]
		c.mu.Unlock()
		if ok && time.Since(e.at) < c.ttl {
			return e.v, nil
		}
	}
	v, err := c.next.Get(ctx, key)
	if err == nil && c.cacheable(key) {
		c.mu.Lock()
		c.vals[key] = cached{v: v, at: time.Now()}
		c.mu.Unlock()
	}
	return v, err
}

func (c *Cache) forget(key string) {
	c.mu.Lock()
	delete(c.vals, key)
	c.mu.Unlock()
}

func (c *Cache) Put(ctx context.Context, key string, value []byte, opts ...store.PutOption) error {
	c.forget(key)
	return c.next.Put(ctx, key, value, opts...)
}

func (c *Cache) Delete(ctx context.Context, key string) error {
	c.forget(key)
	return c.next.Delete(ctx, key)
}

func (c *Cache) List(ctx context.Context, p store.ListParams) (store.Page, error) {
	return c.next.List(ctx, p)
}
