//go:build js && wasm

package edgekv

import (
	"context"
	"encoding/json"
	"time"

	"sedge/internal/cache"
	"sedge/internal/config"
	"sedge/internal/result"
)

// KVCache is a cache.Cache over a Store. Values are JSON; the lifetime is
// read from the live configuration at each write.
type KVCache[K comparable, V any] struct {
	st    Store
	name  func(K) string
	ttlOf func(*config.Config) time.Duration
}

var _ cache.Cache[string, int] = (*KVCache[string, int])(nil)

// NewCache returns a KV-backed cache.
func NewCache[K comparable, V any](st Store, name func(K) string, ttlOf func(*config.Config) time.Duration) *KVCache[K, V] {
	return &KVCache[K, V]{st: st, name: name, ttlOf: ttlOf}
}

func (c *KVCache[K, V]) Get(_ context.Context, k K) (result.Option[V], error) {
	o, err := c.st.Lookup(c.name(k))
	if err != nil {
		return result.None[V](), err
	}
	raw, ok := o.Get()
	if !ok {
		return result.None[V](), nil
	}
	var v V
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return result.None[V](), err
	}
	return result.Some(v), nil
}

func (c *KVCache[K, V]) Set(_ context.Context, k K, v V) error {
	return c.st.PutJSON(c.name(k), v, c.ttlOf(c.st.cfg.Load()))
}

func (c *KVCache[K, V]) Invalidate(_ context.Context, k K) error {
	return c.st.Delete(c.name(k))
}
