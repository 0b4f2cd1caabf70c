// Package cache is a two-level cache: a bounded in-process map in front of a
// KV namespace. Set writes through to KV immediately; Stage only marks the
// entry dirty, and a ticker flushes dirty entries in one batch.
package cache

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"time"

	"gadwall/internal/clock"
	"gadwall/internal/keys"
	"gadwall/internal/kvstore"
)

// minTTL is the shortest expiry KV accepts.
const minTTL = time.Minute

type entry[V any] struct {
	value   V
	expires time.Time
}

// Cache caches values of type V under keys derived from K.
type Cache[K comparable, V any] struct {
	kv    kvstore.KV
	keyFn func(K) string
	ttlFn func(V) time.Duration
	clock clock.Clock
	cap   int

	mu    sync.Mutex
	items map[string]entry[V]
	dirty map[string]V
}

// New returns a cache of at most capacity in-process entries.
func New[K comparable, V any](kv kvstore.KV, capacity int, clk clock.Clock, keyFn func(K) string, ttlFn func(V) time.Duration) *Cache[K, V] {
	return &Cache[K, V]{kv: kv, keyFn: keyFn, ttlFn: ttlFn, clock: clk, cap: capacity, items: map[string]entry[V]{}, dirty: map[string]V{}}
}

func (c *Cache[K, V]) ttl(v V) time.Duration {
	ttl := c.ttlFn(v)
	if ttl < minTTL {
		ttl = minTTL
	}
	return ttl
}

// Get returns the value for k from memory, then KV, then load. Loaded values
// are written back to KV.
func (c *Cache[K, V]) Get(ctx context.Context, k K, load func(context.Context) (V, error)) (V, error) {
	key := c.keyFn(k)
	if v, ok := c.local(key); ok {
		return v, nil
	}
	raw, err := c.kv.Get(ctx, keys.Raw(key))
	switch {
	case err == nil:
		var v V
		if err := json.Unmarshal(raw, &v); err == nil {
			c.remember(key, v)
			return v, nil
		}
	case !errors.Is(err, kvstore.ErrNotFound):
		var zero V
		return zero, err
	}
	v, err := load(ctx)
	if err != nil {
		return v, err
	}
	if err := c.write(ctx, key, v); err != nil {
		slog.Warn("cache: write-back failed", "key", key, "err", err)
	}
	return v, nil
}

// Set stores v under k in memory and KV.
func (c *Cache[K, V]) Set(ctx context.Context, k K, v V) error { return c.write(ctx, c.keyFn(k), v) }

func (c *Cache[K, V]) write(ctx context.Context, key string, v V) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	c.remember(key, v)
	return c.kv.PutTTL(ctx, keys.Raw(key), b, c.ttl(v))
}

// Stage stores v in memory and schedules it for the next Flush.
func (c *Cache[K, V]) Stage(k K, v V) {
	key := c.keyFn(k)
	c.remember(key, v)
	c.mu.Lock()
	c.dirty[key] = v
	c.mu.Unlock()
}

// Peek returns the in-memory value of k without touching KV.
func (c *Cache[K, V]) Peek(k K) (V, bool) { return c.local(c.keyFn(k)) }

// Invalidate drops k from both levels.
func (c *Cache[K, V]) Invalidate(ctx context.Context, k K) error {
	key := c.keyFn(k)
	c.mu.Lock()
	delete(c.items, key)
	delete(c.dirty, key)
	c.mu.Unlock()
	return c.kv.Delete(ctx, keys.Raw(key))
}

// Flush writes every dirty entry, in one bulk request when the store
// supports it.
func (c *Cache[K, V]) Flush(ctx context.Context) error {
	c.mu.Lock()
	pending := c.dirty
	c.dirty = map[string]V{}
	c.mu.Unlock()
	entries := make([]kvstore.Entry, 0, len(pending))
	for key, v := range pending {
		if b, err := json.Marshal(v); err == nil {
			entries = append(entries, kvstore.Entry{Key: key, Value: b, TTL: c.ttl(v)})
		}
	}
	if len(entries) == 0 {
		return nil
	}
	if bw, ok := c.kv.(kvstore.BulkWriter); ok {
		return bw.PutMany(ctx, entries)
	}
	var errs []error
	for _, e := range entries {
		errs = append(errs, c.kv.PutTTL(ctx, keys.Raw(e.Key), e.Value, e.TTL))
	}
	return errors.Join(errs...)
}

// Run flushes dirty entries every interval until ctx is done.
func (c *Cache[K, V]) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			_ = c.Flush(context.WithoutCancel(ctx))
			return
		case <-t.C:
			if err := c.Flush(ctx); err != nil {
				slog.Warn("cache: flush failed", "err", err)
			}
		}
	}
}

func (c *Cache[K, V]) local(key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[key]
	if ok && c.clock.Now().After(e.expires) {
		delete(c.items, key)
		ok = false
	}
	return e.value, ok
}

func (c *Cache[K, V]) remember(key string, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[key]; !ok && len(c.items) >= c.cap {
		for k := range c.items { // evict an arbitrary entry
			delete(c.items, k)
			break
		}
	}
	c.items[key] = entry[V]{value: v, expires: c.clock.Now().Add(c.ttl(v))}
}
