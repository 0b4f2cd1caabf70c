// Package cache is a typed read-through cache stored in KV, with a small
// per-isolate memo in front of it.
package cache

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"example.com/authgw/internal/kvport"
)

// Loader produces a fresh value on a miss.
type Loader[T any] func(ctx context.Context) (T, error)

type config struct {
	prefix   string
	ttl      time.Duration
	edgeTTL  time.Duration
	localTTL time.Duration
	now      func() time.Time
}

// Option configures a Cache.
type Option func(*config)

// WithPrefix namespaces the cache's keys.
func WithPrefix(p string) Option { return func(c *config) { c.prefix = p } }

// WithTTL sets how long a computed value lives in KV.
func WithTTL(d time.Duration) Option { return func(c *config) { c.ttl = d } }

// WithEdgeTTL sets the cacheTtl used on reads.
func WithEdgeTTL(d time.Duration) Option { return func(c *config) { c.edgeTTL = d } }

// WithLocalTTL keeps decoded values in isolate memory for d.
func WithLocalTTL(d time.Duration) Option { return func(c *config) { c.localTTL = d } }

// WithClock overrides time.Now, for tests.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

type memo[T any] struct {
	v   T
	exp time.Time
}

// Cache is safe for concurrent use.
type Cache[T any] struct {
	store kvport.Store
	cfg   config

	mu    sync.Mutex
	local map[string]memo[T]
}

// New builds a Cache over store.
func New[T any](store kvport.Store, opts ...Option) *Cache[T] {
	c := &Cache[T]{
		store: store,
		cfg:   config{ttl: 5 * time.Minute, now: time.Now},
		local: map[string]memo[T]{},
	}
	for _, o := range opts {
		o(&c.cfg)
	}
	return c
}

func (c *Cache[T]) fromMemo(key string) (T, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m, ok := c.local[key]
	if !ok || c.cfg.now().After(m.exp) {
		var zero T
		return zero, false
	}
	return m.v, true
}

func (c *Cache[T]) remember(key string, v T) {
	if c.cfg.localTTL <= 0 {
		return
	}
	c.mu.Lock()
	c.local[key] = memo[T]{v: v, exp: c.cfg.now().Add(c.cfg.localTTL)}
	c.mu.Unlock()
}

// Get returns the cached value for key, calling load on a miss.
func (c *Cache[T]) Get(ctx context.Context, key string, load Loader[T]) (T, error) {
	if v, ok := c.fromMemo(key); ok {
		return v, nil
	}
	var ropts []kvport.ReadOption
	if c.cfg.edgeTTL > 0 {
		ropts = append(ropts, kvport.WithCacheTTL(c.cfg.edgeTTL))
	}
	full := c.cfg.prefix + key
	if raw, err := c.store.Get(ctx, full, ropts...); err == nil {
		var v T
		if json.Unmarshal(raw, &v) == nil {
			c.remember(key, v)
			return v, nil
		}
	} else if !kvport.IsNotFound(err) {
		return *new(T), err
	}

	v, err := load(ctx)
	if err != nil {
		return v, err
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return v, err
	}
	if err := c.store.Put(ctx, full, raw, kvport.WithTTL(c.cfg.ttl)); err != nil {
		return v, err
	}
	c.remember(key, v)
	return v, nil
}

// Invalidate drops key from KV and from this isolate's memo.
func (c *Cache[T]) Invalidate(ctx context.Context, key string) error {
	c.mu.Lock()
	delete(c.local, key)
	c.mu.Unlock()
	return c.store.Delete(ctx, c.cfg.prefix+key)
}
