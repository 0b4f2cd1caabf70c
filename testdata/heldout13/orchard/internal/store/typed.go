package store

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"
)

// Load reads key and decodes it as JSON. ok is false on a miss.
func Load[T any](ctx context.Context, st Store, key string) (v T, ok bool, err error) {
	raw, err := st.Get(ctx, key)
	if IsNotFound(err) {
		return v, false, nil
	}
	if err != nil {
		return v, false, err
	}
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return v, false, fmt.Errorf("decode %s: %w", key, err)
	}
	return v, true, nil
}

// Save encodes v as JSON and writes it.
func Save[T any](ctx context.Context, st Store, key string, v T, opts ...Option) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	return st.Put(ctx, key, string(b), opts...)
}

// Loader fetches a value from its source of truth.
type Loader[T any] func(ctx context.Context, id string) (T, error)

// Cached is a read-through cache in front of a Loader.
type Cached[T any] struct {
	st     Store
	prefix string
	ttl    time.Duration
	load   Loader[T]
	log    *slog.Logger
}

// NewCached caches load's results under prefix+id for ttl.
func NewCached[T any](st Store, prefix string, ttl time.Duration, load Loader[T], log *slog.Logger) *Cached[T] {
	return &Cached[T]{st: st, prefix: prefix, ttl: ttl, load: load, log: log}
}

// Get returns the cached value or loads and caches it. A broken cache never
// fails the read.
func (c *Cached[T]) Get(ctx context.Context, id string) (T, error) {
	key := c.prefix + id
	v, ok, err := Load[T](ctx, c.st, key)
	if err != nil {
		c.log.WarnContext(ctx, "cache read failed", "key", key, "err", err)
	}
	if ok {
		return v, nil
	}
	v, err = c.load(ctx, id)
	if err != nil {
		return v, err
	}
	if err := Save(ctx, c.st, key, v, WithTTL(c.ttl)); err != nil {
		c.log.WarnContext(ctx, "cache fill failed", "key", key, "err", err)
	}
	return v, nil
}

// Forget drops the cached value so the next Get reloads it.
func (c *Cached[T]) Forget(ctx context.Context, id string) error {
	return c.st.Delete(ctx, c.prefix+id)
}
