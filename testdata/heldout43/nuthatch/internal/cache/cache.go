// Package cache is a two-level cache: a bounded in-process LRU behind a mutex
// in front of a KV namespace. Values are written through to KV on Set, or
// staged and flushed in the background by Run (write-behind).
package cache

import (
	"container/list"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/cityparking/nuthatch/internal/domain"
)

// Backend is the KV side of the cache.
type Backend interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte, ttl time.Duration) error
}

// Entry is one staged write handed to a bulk-capable backend.
type Entry struct {
	Key   string
	Value []byte
	TTL   time.Duration
}

// BulkBackend is implemented by backends that can flush many entries at once.
type BulkBackend interface {
	PutEntries(ctx context.Context, entries []Entry) error
}

type item[K comparable, V any] struct {
	key     K
	val     V
	expires time.Time
}

// Cache holds values of type V addressed by K.
type Cache[K comparable, V any] struct {
	backend Backend
	keyFn   func(K) string
	ttlFn   func(V) time.Duration
	loadFn  func(ctx context.Context, k K) (V, error)
	local   time.Duration
	cap     int

	mu    sync.Mutex
	order *list.List
	items map[K]*list.Element
	dirty map[K]V
}

// Config describes how a Cache derives keys and lifetimes.
type Config[K comparable, V any] struct {
	Backend  Backend
	Key      func(K) string
	TTL      func(V) time.Duration
	Load     func(ctx context.Context, k K) (V, error)
	LocalTTL time.Duration
	Capacity int
}

// New builds a Cache from cfg.
func New[K comparable, V any](cfg Config[K, V]) *Cache[K, V] {
	if cfg.Capacity <= 0 {
		cfg.Capacity = 1024
	}
	if cfg.LocalTTL <= 0 {
		cfg.LocalTTL = 30 * time.Second
	}
	return &Cache[K, V]{
		backend: cfg.Backend,
		keyFn:   cfg.Key,
		ttlFn:   cfg.TTL,
		loadFn:  cfg.Load,
		local:   cfg.LocalTTL,
		cap:     cfg.Capacity,
		order:   list.New(),
		items:   make(map[K]*list.Element),
		dirty:   make(map[K]V),
	}
}

func (c *Cache[K, V]) lookupLocal(k K, now time.Time) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var zero V
	el, ok := c.items[k]
	if !ok {
		return zero, false
	}
	it := el.Value.(*item[K, V])
	if now.After(it.expires) {
		c.order.Remove(el)
		delete(c.items, k)
		return zero, false
	}
	c.order.MoveToFront(el)
	return it.val, true
}

func (c *Cache[K, V]) storeLocal(k K, v V, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[k]; ok {
		it := el.Value.(*item[K, V])
		it.val, it.expires = v, now.Add(c.local)
		c.order.MoveToFront(el)
		return
	}
	c.items[k] = c.order.PushFront(&item[K, V]{key: k, val: v, expires: now.Add(c.local)})
	for c.order.Len() > c.cap {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.items, last.Value.(*item[K, V]).key)
	}
}

// Get returns the value for k from memory, then KV, then the loader. Values
// produced by the loader are written back to KV.
func (c *Cache[K, V]) Get(ctx context.Context, k K) (V, error) {
	now := time.Now()
	if v, ok := c.lookupLocal(k, now); ok {
		return v, nil
	}
	var v V
	key := c.keyFn(k)
	raw, err := c.backend.Get(ctx, key)
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &v); err != nil {
			return v, err
		}
		c.storeLocal(k, v, now)
		return v, nil
	case !errors.Is(err, domain.ErrNotFound):
		return v, err
	case c.loadFn == nil:
		return v, err
	}
	v, err = c.loadFn(ctx, k)
	if err != nil {
		return v, err
	}
	if err := c.Set(ctx, k, v); err != nil {
		slog.WarnContext(ctx, "cache fill failed", "key", key, "err", err)
	}
	return v, nil
}

// Set stores v in memory and writes it through to KV.
func (c *Cache[K, V]) Set(ctx context.Context, k K, v V) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	c.storeLocal(k, v, time.Now())
	return c.backend.Put(ctx, c.keyFn(k), body, c.ttlFn(v))
}

// Stage stores v in memory and marks it for the next background flush.
func (c *Cache[K, V]) Stage(k K, v V) {
	c.storeLocal(k, v, time.Now())
	c.mu.Lock()
	c.dirty[k] = v
	c.mu.Unlock()
}

// Invalidate drops k from memory only.
func (c *Cache[K, V]) Invalidate(k K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[k]; ok {
		c.order.Remove(el)
		delete(c.items, k)
	}
}

// Flush writes every staged value to KV.
func (c *Cache[K, V]) Flush(ctx context.Context) error {
	c.mu.Lock()
	pending := c.dirty
	c.dirty = make(map[K]V, len(pending))
	c.mu.Unlock()
	if len(pending) == 0 {
		return nil
	}

	entries := make([]Entry, 0, len(pending))
	for k, v := range pending {
		body, err := json.Marshal(v)
		if err != nil {
			return err
		}
		entries = append(entries, Entry{Key: c.keyFn(k), Value: body, TTL: c.ttlFn(v)})
	}
	if bb, ok := c.backend.(BulkBackend); ok {
		return bb.PutEntries(ctx, entries)
	}
	var errs []error
	for _, e := range entries {
		if err := c.backend.Put(ctx, e.Key, e.Value, e.TTL); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Run flushes staged values every interval until ctx is done.
func (c *Cache[K, V]) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			flushCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			if err := c.Flush(flushCtx); err != nil {
				slog.Error("final cache flush failed", "err", err)
			}
			cancel()
			return
		case <-t.C:
			if err := c.Flush(ctx); err != nil {
				slog.WarnContext(ctx, "cache flush failed", "err", err)
			}
		}
	}
}
