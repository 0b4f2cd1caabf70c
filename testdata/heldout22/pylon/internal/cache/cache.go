// Package cache is a read-through cache in front of slower sources of truth
// (the LIMS database, the routing provider). KV holds copies only.
package cache

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"example.com/pylon/internal/repo"
	"example.com/pylon/internal/storage"
)

// Loader fetches the authoritative value on a miss.
type Loader[T any] func(ctx context.Context, id string) (T, error)

// ReadThrough caches values of type T under a prefix.
type ReadThrough[T any] struct {
	store  storage.ReadWriter
	prefix string
	ttl    time.Duration
	codec  repo.Codec[T]
	load   Loader[T]
}

// New builds a cache. TTLs under KV's one minute floor are raised to it.
func New[T any](store storage.ReadWriter, prefix string, ttl time.Duration, codec repo.Codec[T], load Loader[T]) *ReadThrough[T] {
	if ttl < storage.MinTTL {
		ttl = storage.MinTTL
	}
	return &ReadThrough[T]{store: store, prefix: prefix, ttl: ttl, codec: codec, load: load}
}

// Get returns the cached value, loading and caching it on a miss.
func (c *ReadThrough[T]) Get(ctx context.Context, id string) (T, error) {
	key := c.prefix + id
	raw, err := c.store.Get(ctx, key)
	if err == nil {
		if v, derr := c.codec.Decode(raw); derr == nil {
			return v, nil
		}
		slog.Warn("cache entry undecodable, reloading", "key", key)
	} else if !errors.Is(err, storage.ErrNotFound) {
		slog.Warn("cache read failed, loading from source", "key", key, "err", err)
	}
	v, err := c.load(ctx, id)
	if err != nil {
		return v, err
	}
	if enc, err := c.codec.Encode(v); err == nil {
		if err := c.store.Put(ctx, key, enc, storage.PutOptions{TTL: c.ttl}); err != nil {
			slog.Warn("cache fill failed", "key", key, "err", err)
		}
	}
	return v, nil
}
