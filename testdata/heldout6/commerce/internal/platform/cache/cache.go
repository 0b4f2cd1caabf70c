// Package cache is a typed read-through cache over the KV port. Values are
// JSON encoded; the origin stays the source of truth.
package cache

import (
	"context"
	"time"

	"example.com/commerce/internal/core/ports"
	"example.com/commerce/internal/platform/kvjson"
)

type Options struct {
	TTL    time.Duration
	Prefix string
}

type Option func(*Options)

func WithTTL(d time.Duration) Option  { return func(o *Options) { o.TTL = d } }
func WithPrefix(p string) Option      { return func(o *Options) { o.Prefix = p } }
func defaults() Options               { return Options{TTL: 5 * time.Minute, Prefix: "cache:"} }
func (o Options) key(k string) string { return o.Prefix + k }

// Loader fetches a value from the origin.
type Loader[K comparable, V any] func(ctx context.Context, k K) (V, error)

type Cache[K comparable, V any] struct {
	kv    ports.ReadWriter
	keyOf func(K) string
	opts  Options
}

func New[K comparable, V any](kv ports.ReadWriter, keyOf func(K) string, opts ...Option) *Cache[K, V] {
	o := defaults()
	for _, fn := range opts {
		fn(&o)
	}
	return &Cache[K, V]{kv: kv, keyOf: keyOf, opts: o}
}

// Get returns the cached value or loads it from the origin and stores it.
func (c *Cache[K, V]) Get(ctx context.Context, k K, load Loader[K, V]) (V, error) {
	key := c.opts.key(c.keyOf(k))
	if v, ok, err := kvjson.Get[V](ctx, c.kv, key); err == nil && ok {
		return v, nil
	}
	v, err := load(ctx, k)
	if err != nil {
		return v, err
	}
	return v, c.Set(ctx, k, v)
}

// Set writes v through to KV.
func (c *Cache[K, V]) Set(ctx context.Context, k K, v V) error {
	return kvjson.Put(ctx, c.kv, c.opts.key(c.keyOf(k)), v, ports.WithTTL(c.opts.TTL))
}

// Invalidate drops the cached copy after an origin write.
func (c *Cache[K, V]) Invalidate(ctx context.Context, k K) error {
	return c.kv.Delete(ctx, c.opts.key(c.keyOf(k)))
}
