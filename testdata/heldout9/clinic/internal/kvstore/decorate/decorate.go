// Package decorate wraps a kvstore.Store with cross-cutting behaviour:
// logging, metrics and a small in-process read cache.
package decorate

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"example.com/clinic/internal/kvstore"
)

// Logging logs writes. Reads and lists go straight to the embedded store.
type Logging struct {
	kvstore.Store
	Log *slog.Logger
}

func (l Logging) Put(ctx context.Context, key string, val []byte, opts ...kvstore.PutOption) error {
	start := time.Now()
	err := l.Store.Put(ctx, key, val, opts...)
	l.Log.DebugContext(ctx, "kv put", "key", key, "bytes", len(val), "took", time.Since(start), "err", err)
	return err
}

// Metrics counts operations by kind.
type Metrics struct {
	next                   kvstore.Store
	gets, puts, dels, lsts atomic.Int64
}

func NewMetrics(next kvstore.Store) *Metrics { return &Metrics{next: next} }

func (m *Metrics) Get(ctx context.Context, key string) ([]byte, error) {
	m.gets.Add(1)
	return m.next.Get(ctx, key)
}

func (m *Metrics) Put(ctx context.Context, key string, val []byte, opts ...kvstore.PutOption) error {
	m.puts.Add(1)
	return m.next.Put(ctx, key, val, opts...)
}

func (m *Metrics) Delete(ctx context.Context, key string) error {
	m.dels.Add(1)
	return m.next.Delete(ctx, key)
}

func (m *Metrics) List(ctx context.Context, prefix, cursor string, limit int) (kvstore.Page, error) {
	m.lsts.Add(1)
	return m.next.List(ctx, prefix, cursor, limit)
}

// Snapshot returns operation counts for the /metrics endpoint.
func (m *Metrics) Snapshot() map[string]int64 {
	return map[string]int64{"get": m.gets.Load(), "put": m.puts.Load(), "delete": m.dels.Load(), "list": m.lsts.Load()}
}

// Cache is a tiny TTL map used in front of KV for hot reads within one
// process.
type Cache[K comparable, V any] struct {
	mu    sync.Mutex
	ttl   time.Duration
	items map[K]cached[V]
}

type cached[V any] struct {
	v   V
	exp time.Time
}

func NewCache[K comparable, V any](ttl time.Duration) *Cache[K, V] {
	return &Cache[K, V]{ttl: ttl, items: make(map[K]cached[V])}
}

func (c *Cache[K, V]) Get(k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	it, ok := c.items[k]
	if !ok || time.Now().After(it.exp) {
		var zero V
		return zero, false
	}
	return it.v, true
}

func (c *Cache[K, V]) Set(k K, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.items[k] = cached[V]{v: v, exp: time.Now().Add(c.ttl)}
}

func (c *Cache[K, V]) Drop(k K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.items, k)
}

// Caching serves repeated Gets from memory and invalidates on write.
type Caching struct {
	kvstore.Store
	cache *Cache[string, []byte]
}

func NewCaching(next kvstore.Store, ttl time.Duration) *Caching {
	return &Caching{Store: next, cache: NewCache[string, []byte](ttl)}
}

func (c *Caching) Get(ctx context.Context, key string) ([]byte, error) {
	if v, ok := c.cache.Get(key); ok {
		return v, nil
	}
	v, err := c.Store.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	c.cache.Set(key, v)
	return v, nil
}

func (c *Caching) Put(ctx context.Context, key string, val []byte, opts ...kvstore.PutOption) error {
	c.cache.Drop(key)
	return c.Store.Put(ctx, key, val, opts...)
}

func (c *Caching) Delete(ctx context.Context, key string) error {
	c.cache.Drop(key)
	return c.Store.Delete(ctx, key)
}
