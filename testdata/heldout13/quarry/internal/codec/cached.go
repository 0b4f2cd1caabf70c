package codec

import (
	"context"
	"log/slog"
	"time"

	"example.com/quarry/internal/kvstore"
)

// Loader produces the authoritative value for key.
type Loader[T any] func(ctx context.Context, key string) (T, error)

// Cached is a read-through cache in front of a Loader.
type Cached[T any] struct {
	st     kvstore.Store
	prefix string
	load   Loader[T]
	codec  Codec[T]
	ttl    time.Duration
	log    *slog.Logger
}

// NewCached returns a read-through cache storing entries under prefix. Entries
// expire after ttl, never sooner than a minute.
func NewCached[T any](st kvstore.Store, prefix string, ttl time.Duration, load Loader[T], log *slog.Logger) *Cached[T] {
	return &Cached[T]{
		st:     st,
		prefix: prefix,
		load:   load,
		codec:  JSON[T]{},
		ttl:    max(ttl, time.Minute),
		log:    log,
	}
}

// WithCodec switches the cache codec.
func (c *Cached[T]) WithCodec(cd Codec[T]) *Cached[T] { c.codec = cd; return c }

// Get returns the cached value for key, loading and storing it on a miss.
func (c *Cached[T]) Get(ctx context.Context, key string) (T, error) {
	v, ok, err := LoadWith[T](ctx, c.st, c.prefix+key, c.codec)
	if err != nil {
		c.log.WarnContext(ctx, "cache read failed, loading", "key", key, "err", err)
	}
	if ok {
		return v, nil
	}
	v, err = c.load(ctx, key)
	if err != nil {
		return v, err
	}
	if err := SaveWith(ctx, c.st, c.prefix+key, v, c.codec, kvstore.PutOptions{TTL: c.ttl}); err != nil {
		c.log.WarnContext(ctx, "cache fill failed", "key", key, "err", err)
	}
	return v, nil
}

// Invalidate drops the cached entry for key.
func (c *Cached[T]) Invalidate(ctx context.Context, key string) error {
	return c.st.Delete(ctx, c.prefix+key)
}
