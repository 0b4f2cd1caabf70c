//go:build js && wasm

package edgekv

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"bobolink/internal/clock"
)

// Cache is a two-level cache: an isolate-local map in front of a KV
// namespace. Writes go through to KV immediately.
type Cache[K comparable, V any] struct {
	store *Store
	clock clock.Clock
	keyFn func(K) string
	ttlFn func(V) time.Duration
	// localTTL bounds how long an isolate trusts its own copy.
	localTTL time.Duration

	mu    sync.Mutex
	local map[K]entry[V]
}

type entry[V any] struct {
	val V
	exp time.Time
}

// NewCache builds a cache over store.
func NewCache[K comparable, V any](store *Store, c clock.Clock, keyFn func(K) string, ttlFn func(V) time.Duration) *Cache[K, V] {
	return &Cache[K, V]{
		store:    store,
		clock:    c,
		keyFn:    keyFn,
		ttlFn:    ttlFn,
		localTTL: 30 * time.Second,
		local:    map[K]entry[V]{},
	}
}

func (c *Cache[K, V]) fromLocal(k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.local[k]
	if !ok || c.clock.Now().After(e.exp) {
		var zero V
		return zero, false
	}
	return e.val, true
}

func (c *Cache[K, V]) remember(k K, v V) {
	c.mu.Lock()
	c.local[k] = entry[V]{val: v, exp: c.clock.Now().Add(c.localTTL)}
	c.mu.Unlock()
}

// Get returns the cached value, consulting KV on a local miss.
func (c *Cache[K, V]) Get(ctx context.Context, k K) (V, error) {
	if v, ok := c.fromLocal(k); ok {
		return v, nil
	}
	var v V
	raw, err := c.store.Get(ctx, Static(c.keyFn(k)))
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return v, err
	}
	c.remember(k, v)
	return v, nil
}

// GetOrLoad is Get with a loader for misses; the loaded value is written back.
func (c *Cache[K, V]) GetOrLoad(ctx context.Context, k K, load func(context.Context, K) (V, error)) (V, error) {
	v, err := c.Get(ctx, k)
	if err == nil {
		return v, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return v, err
	}
	v, err = load(ctx, k)
	if err != nil {
		return v, err
	}
	return v, c.Set(ctx, k, v)
}

// Set writes v locally and to KV.
func (c *Cache[K, V]) Set(ctx context.Context, k K, v V) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if err := c.store.Put(ctx, Static(c.keyFn(k)), string(b), c.ttlFn(v)); err != nil {
		return err
	}
	c.remember(k, v)
	return nil
}

// Static adapts a plain string to the Stringer the store expects.
type Static string

func (s Static) String() string { return string(s) }
