package kvstore

import (
	"context"
	"errors"
	"time"

	"github.com/dgraph-io/ristretto/v2"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// Cached keeps recently read values in process memory in front of a
// namespace. Reads may be up to hold old; writes through this type drop the
// local copy so this process reads its own writes.
type Cached struct {
	ns    *Namespace
	local *ristretto.Cache[string, []byte]
	hold  time.Duration
}

// NewCached wraps ns with an in-process cache of about maxBytes.
func NewCached(ns *Namespace, maxBytes int64, hold time.Duration) (*Cached, error) {
	c, err := ristretto.NewCache(&ristretto.Config[string, []byte]{
		NumCounters: maxBytes / 100,
		MaxCost:     maxBytes,
		BufferItems: 64,
	})
	if err != nil {
		return nil, err
	}
	return &Cached{ns: ns, local: c, hold: hold}, nil
}

// Namespace returns the namespace behind the cache.
func (c *Cached) Namespace() *Namespace { return c.ns }

// Get returns the value for key from memory or from KV.
func (c *Cached) Get(ctx context.Context, key string) ([]byte, error) {
	if v, ok := c.local.Get(key); ok {
		trace.SpanFromContext(ctx).SetAttributes(attribute.Bool("kv.local_hit", true))
		return v, nil
	}
	v, err := c.ns.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	c.local.SetWithTTL(key, v, int64(len(v)), c.hold)
	return v, nil
}

// Put writes through to KV and drops the local copy.
func (c *Cached) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	c.local.Del(key)
	return c.ns.Put(ctx, key, value, ttl)
}

// Delete removes key from KV and from memory.
func (c *Cached) Delete(ctx context.Context, key string) error {
	c.local.Del(key)
	return c.ns.Delete(ctx, key)
}

// GetOr returns the cached value for key, or calls load, stores its result
// for ttl and returns it. load is only called on a miss.
func (c *Cached) GetOr(ctx context.Context, key string, ttl time.Duration, load func(context.Context) ([]byte, error)) ([]byte, error) {
	v, err := c.Get(ctx, key)
	if err == nil {
		return v, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	v, err = load(ctx)
	if err != nil {
		return nil, err
	}
	if ttl < time.Minute {
		ttl = time.Minute
	}
	if err := c.Put(ctx, key, v, ttl); err != nil {
		return nil, err
	}
	return v, nil
}
