package kvstore

import (
	"context"
	"time"
)

// MinTTL is the shortest lifetime Workers KV accepts.
const MinTTL = time.Minute

// Cache is a read-through JSON cache over a namespace. Lifetimes shorter
// than MinTTL are raised to it.
type Cache struct {
	NS     *Namespace
	Prefix string
}

// Load decodes the cached value for key into dst and reports whether it was present.
func (c *Cache) Load(ctx context.Context, key string, dst any) (bool, error) {
	return c.NS.GetJSON(ctx, c.Prefix+key, dst)
}

// Store caches v under key for ttl.
func (c *Cache) Store(ctx context.Context, key string, v any, ttl time.Duration) error {
	if ttl < MinTTL {
		ttl = MinTTL
	}
	return c.NS.PutJSON(ctx, c.Prefix+key, v, ttl)
}

// Fetch returns the cached value for key, or calls fill, caches its result
// for ttl and returns it.
func Fetch[T any](ctx context.Context, c *Cache, key string, ttl time.Duration, fill func(context.Context) (T, error)) (T, error) {
	var v T
	ok, err := c.Load(ctx, key, &v) // DEBATABLE kvnull
	if err == nil && ok {
		return v, nil
	}
	v, err = fill(ctx)
	if err != nil {
		return v, err
	}
	if err := c.Store(ctx, key, v, ttl); err != nil {
		return v, err
	}
	return v, nil
}
