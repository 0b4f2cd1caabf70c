//go:build js && wasm

package kvstore

import (
	"context"
	"time"

	"merlin/internal/cache"
	"merlin/internal/result"
)

// KVCache is a cache.Cache over a Store; values are stored as JSON.
type KVCache[V any] struct {
	store Store
}

// NewKVCache returns a KV-backed cache under s.
func NewKVCache[V any](s Store) *KVCache[V] { return &KVCache[V]{store: s} }

func (c *KVCache[V]) Get(ctx context.Context, k string) (result.Option[V], error) {
	return GetJSON[V](ctx, c.store, k).Unwrap()
}

// Set writes v; lifetimes shorter than KV accepts are raised to a minute.
func (c *KVCache[V]) Set(ctx context.Context, k string, v V, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return c.store.PutJSON(ctx, k, v, ttl)
}

func (c *KVCache[V]) Invalidate(ctx context.Context, k string) error {
	return c.store.Delete(ctx, k)
}

// NewCache builds the cache selected by driver.
func NewCache[V any](driver string, s Store, size int, nearTTL time.Duration) cache.Cache[string, V] {
	switch driver {
	case "lru":
		return cache.NewLRU[string, V](size)
	case "kv":
		return NewKVCache[V](s)
	default:
		return cache.Layered[string, V]{
			Near:    cache.NewLRU[string, V](size),
			Far:     NewKVCache[V](s),
			NearTTL: nearTTL,
		}
	}
}
