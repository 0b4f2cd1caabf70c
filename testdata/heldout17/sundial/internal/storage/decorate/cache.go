package decorate

import (
	"context"
	"log/slog"
	"time"

	"example.com/sundial/internal/codec"
	"example.com/sundial/internal/storage"
)

// ReadThrough serves values from the store and, on a miss, loads them from
// the authoritative source and caches them for TTL.
type ReadThrough[T any] struct {
	Store storage.Store
	Codec codec.Codec[T]
	TTL   time.Duration
	Load  func(ctx context.Context, key string) (T, error)
	Log   *slog.Logger
}

// Get returns the cached value of key, filling the cache on a miss.
func (c *ReadThrough[T]) Get(ctx context.Context, key string) (T, error) {
	v, err := storage.GetAs(ctx, c.Store, key, c.Codec)
	if err == nil {
		return v, nil
	}
	if !storage.IsNotFound(err) {
		return v, err
	}
	v, err = c.Load(ctx, key)
	if err != nil {
		return v, err
	}
	if err := storage.PutAs(ctx, c.Store, key, v, c.Codec, storage.PutOptions{TTL: c.TTL}); err != nil && c.Log != nil {
		c.Log.WarnContext(ctx, "cache fill failed", "key", key, "error", err)
	}
	return v, nil
}

// Invalidate drops the cached value of key.
func (c *ReadThrough[T]) Invalidate(ctx context.Context, key string) error {
	return c.Store.Delete(ctx, key)
}
