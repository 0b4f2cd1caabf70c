// Package cache holds a small in-process TTL map and a KV read-through
// helper built on it.
package cache

import (
	"context"
	"sync"
	"time"

	"example.com/fleet/internal/codec"
	"example.com/fleet/internal/kvstore"
)

// Cache is a concurrency-safe map with per-entry expiry.
type Cache[K comparable, V any] struct {
	mu    sync.Mutex
	ttl   time.Duration
	items map[K]entry[V]
}

type entry[V any] struct {
	v   V
	exp time.Time
}

func New[K comparable, V any](ttl time.Duration) *Cache[K, V] {
	return &Cache[K, V]{ttl: ttl, items: make(map[K]entry[V])}
}

func (c *Cache[K, V]) Get(k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[k]
	if !ok || time.Now().After(e.exp) {
		var zero V
		return zero, false
	}
	return e.v, true
}

func (c *Cache[K, V]) Set(k K, v V) {
	c.mu.Lock()
	c.items[k] = entry[V]{v: v, exp: time.Now().Add(c.ttl)}
	c.mu.Unlock()
}

func (c *Cache[K, V]) Forget(k K) {
	c.mu.Lock()
	delete(c.items, k)
	c.mu.Unlock()
}

// Options configure a ReadThrough.
type Options struct {
	Prefix string
	TTL    time.Duration
}

// DefaultOptions is copied and adjusted by each user.
var DefaultOptions = Options{Prefix: "cache:", TTL: 10 * time.Minute}

// ReadThrough serves V from KV and fills misses from load.
type ReadThrough[V any] struct {
	store kvstore.Store
	opts  Options
	load  func(ctx context.Context, id string) (V, error)
}

func NewReadThrough[V any](store kvstore.Store, opts Options, load func(context.Context, string) (V, error)) *ReadThrough[V] {
	return &ReadThrough[V]{store: store, opts: opts, load: load}
}

func (r *ReadThrough[V]) Get(ctx context.Context, id string) (V, error) {
	key := r.opts.Prefix + id
	v, found, err := codec.GetJSON[V](ctx, r.store, key)
	if err != nil || found {
		return v, err
	}
	v, err = r.load(ctx, id)
	if err != nil {
		return v, err
	}
	return v, codec.PutJSON(ctx, r.store, key, v, kvstore.WithTTL(r.opts.TTL))
}
