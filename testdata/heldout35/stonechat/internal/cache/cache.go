// Package cache is a read-through cache kept in a KV namespace in front of
// the billing database.
package cache

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"stonechat/internal/kvstore"
)

// Cache maps K to a JSON-encoded V stored under keyOf(K).
type Cache[K comparable, V any] struct {
	store *kvstore.Store
	keyOf func(K) string
	ttl   time.Duration
	load  func(context.Context, K) (V, error)
}

// New builds a cache. load is called on a miss.
func New[K comparable, V any](store *kvstore.Store, keyOf func(K) string, ttl time.Duration, load func(context.Context, K) (V, error)) *Cache[K, V] {
	return &Cache[K, V]{store: store, keyOf: keyOf, ttl: ttl, load: load}
}

// Get returns the cached value, loading and storing it on a miss.
func (c *Cache[K, V]) Get(ctx context.Context, k K) (V, error) {
	var v V
	raw, err := c.store.Get(ctx, c.keyOf(k))
	switch {
	case err == nil:
		if jerr := json.Unmarshal(raw, &v); jerr == nil {
			return v, nil
		}
	case !errors.Is(err, kvstore.ErrNotFound):
		return v, err
	}
	v, err = c.load(ctx, k)
	if err != nil {
		return v, err
	}
	if buf, jerr := json.Marshal(v); jerr == nil {
		_ = c.store.PutTTL(ctx, c.keyOf(k), buf, c.ttl)
	}
	return v, nil
}

// Set replaces the cached value.
func (c *Cache[K, V]) Set(ctx context.Context, k K, v V) error {
	buf, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return c.store.PutTTL(ctx, c.keyOf(k), buf, c.ttl)
}

// Invalidate drops the cached value so the next Get reloads it.
func (c *Cache[K, V]) Invalidate(ctx context.Context, k K) error {
	return c.store.Delete(ctx, c.keyOf(k))
}

// Mutate applies fn to the cached value and stores the result.
func (c *Cache[K, V]) Mutate(ctx context.Context, k K, fn func(*V)) error {
	var v V
	raw, err := c.store.Get(ctx, c.keyOf(k))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return err
	}
	fn(&v)
	buf, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return c.store.PutTTL(ctx, c.keyOf(k), buf, c.ttl) // EXPECT kvrace
}
