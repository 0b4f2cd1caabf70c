// Package cache is a read-through cache stored in KV in front of a slower
// source (D1, the stats service).
package cache

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"example.com/arcade/internal/store"
)

// Codec turns values into bytes and back.
type Codec[T any] interface {
	Encode(T) ([]byte, error)
	Decode([]byte) (T, error)
}

// JSON is the default codec.
type JSON[T any] struct{}

func (JSON[T]) Encode(v T) ([]byte, error) { return json.Marshal(v) }

func (JSON[T]) Decode(b []byte) (T, error) {
	var v T
	err := json.Unmarshal(b, &v)
	return v, err
}

// Loader fetches a value from the source of truth.
type Loader[K comparable, V any] func(ctx context.Context, k K) (V, error)

type Cache[K comparable, V any] struct {
	s     store.Store
	key   func(K) string
	load  Loader[K, V]
	codec Codec[V]
	ttl   time.Duration
}

func New[K comparable, V any](s store.Store, key func(K) string, load Loader[K, V], ttl time.Duration) *Cache[K, V] {
	return &Cache[K, V]{s: s, key: key, load: load, codec: JSON[V]{}, ttl: ttl}
}

// Get returns the cached value, loading and storing it on a miss.
func (c *Cache[K, V]) Get(ctx context.Context, k K) (V, error) {
	var zero V
	key := c.key(k)
	raw, err := c.s.Get(ctx, key)
	if err == nil {
		if v, derr := c.codec.Decode(raw); derr == nil {
			return v, nil
		}
	} else if !errors.Is(err, store.ErrNotFound) {
		return zero, err
	}
	v, err := c.load(ctx, k)
	if err != nil {
		return zero, fmt.Errorf("cache: load %s: %w", key, err)
	}
	b, err := c.codec.Encode(v)
	if err != nil {
		return v, nil
	}
	if err := c.s.Put(ctx, key, b, store.WithTTL(c.ttl)); err != nil {
		return v, nil // serving stale-free data matters more than caching it
	}
	return v, nil
}

// Invalidate drops a cached entry after the source changed.
func (c *Cache[K, V]) Invalidate(ctx context.Context, k K) error {
	return c.s.Delete(ctx, c.key(k))
}
