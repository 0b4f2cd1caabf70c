// Package cache is a typed read-through cache over the KV store.
package cache

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"example.com/academy/internal/kvstore"
)

// Codec converts cache values to and from bytes.
type Codec[T any] interface {
	Encode(T) ([]byte, error)
	Decode([]byte) (T, error)
}

type JSON[T any] struct{}

func (JSON[T]) Encode(v T) ([]byte, error) { return json.Marshal(v) }

func (JSON[T]) Decode(b []byte) (T, error) {
	var v T
	err := json.Unmarshal(b, &v)
	return v, err
}

type Policy struct {
	TTL time.Duration
}

// DefaultPolicy is copied and adjusted by callers that need something else.
var DefaultPolicy = Policy{TTL: 10 * time.Minute}

// Tier names the usual freshness classes.
type Tier int

const (
	TierHot Tier = iota
	TierWarm
	TierCold
)

func (t Tier) Policy() Policy {
	switch t {
	case TierHot:
		return Policy{TTL: time.Minute}
	case TierWarm:
		return Policy{TTL: 15 * time.Minute}
	default:
		return Policy{TTL: 6 * time.Hour}
	}
}

type Cache[K comparable, V any] struct {
	store  kvstore.Store
	key    func(K) string
	codec  Codec[V]
	policy Policy
}

func New[K comparable, V any](store kvstore.Store, key func(K) string, codec Codec[V], p Policy) *Cache[K, V] {
	return &Cache[K, V]{store: store, key: key, codec: codec, policy: p}
}

// GetOrLoad returns the cached value for k, or calls load and caches its result.
func (c *Cache[K, V]) GetOrLoad(ctx context.Context, k K, load func(context.Context, K) (V, error)) (V, error) {
	var zero V
	key := c.key(k)
	raw, err := c.store.Get(ctx, key)
	switch {
	case err == nil:
		if v, derr := c.codec.Decode(raw); derr == nil {
			return v, nil
		}
		slog.WarnContext(ctx, "cache: dropping undecodable entry", "key", key)
	case !errors.Is(err, kvstore.ErrNotFound):
		return zero, fmt.Errorf("cache: get %s: %w", key, err)
	}
	v, err := load(ctx, k)
	if err != nil {
		return zero, err
	}
	enc, err := c.codec.Encode(v)
	if err != nil {
		return zero, err
	}
	if err := c.store.Put(ctx, key, enc, kvstore.WithTTL(c.policy.TTL)); err != nil {
		slog.WarnContext(ctx, "cache: fill failed", "key", key, "err", err)
	}
	return v, nil
}

func (c *Cache[K, V]) Invalidate(ctx context.Context, k K) error {
	return c.store.Delete(ctx, c.key(k))
}
