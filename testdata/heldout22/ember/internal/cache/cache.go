// Package cache is a cache-aside layer that keeps decoded values in KV in
// front of a slower source of truth.
package cache

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"example.com/ember/internal/kvstore"
)

// minTTL is the shortest expiration Workers KV accepts.
const minTTL = time.Minute

// Cache reads V from KV under a key derived from K and falls back to a loader
// on a miss, writing the loaded value back with a TTL.
type Cache[K comparable, V any] struct {
	store  kvstore.Store
	keyOf  func(K) string
	load   func(context.Context, K) (V, error)
	ttl    time.Duration
	logger *slog.Logger
}

// Config carries the required pieces of a Cache.
type Config[K comparable, V any] struct {
	Store  kvstore.Store
	KeyOf  func(K) string
	Load   func(context.Context, K) (V, error)
	TTL    time.Duration
	Logger *slog.Logger
}

// New builds a cache. TTLs shorter than a minute are raised to a minute
// because KV refuses them.
func New[K comparable, V any](cfg Config[K, V]) *Cache[K, V] {
	ttl := cfg.TTL
	if ttl < minTTL {
		ttl = minTTL
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	return &Cache[K, V]{
		store:  cfg.Store,
		keyOf:  cfg.KeyOf,
		load:   cfg.Load,
		ttl:    ttl,
		logger: logger,
	}
}

// Get returns the cached value for k, loading and caching it on a miss.
func (c *Cache[K, V]) Get(ctx context.Context, k K) (V, error) {
	var zero V
	key := c.keyOf(k)
	raw, err := c.store.Get(ctx, key)
	switch {
	case err == nil:
		var v V
		if err := json.Unmarshal(raw, &v); err == nil {
			return v, nil
		}
		c.logger.Warn("dropping undecodable cache entry", "key", key)
	case !errors.Is(err, kvstore.ErrNotFound):
		return zero, fmt.Errorf("cache read %s: %w", key, err)
	}

	v, err := c.load(ctx, k)
	if err != nil {
		return zero, err
	}
	if b, err := json.Marshal(v); err == nil {
		if err := c.store.Put(ctx, key, b, kvstore.TTL(c.ttl)); err != nil {
			c.logger.Warn("cache fill failed", "key", key, "err", err)
		}
	}
	return v, nil
}

// Invalidate drops the cached entry for k after the source of truth changed.
func (c *Cache[K, V]) Invalidate(ctx context.Context, k K) error {
	return c.store.Delete(ctx, c.keyOf(k))
}
