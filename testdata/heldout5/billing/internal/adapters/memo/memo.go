// Package memo is a process-local read cache in front of a kvstore.KV. It
// keeps hot keys in memory for a short time so a burst of edge lookups for
// the same customer costs one KV read.
package memo

import (
	"context"
	"sync"
	"time"

	"example.com/billing/internal/clock"
	"example.com/billing/internal/kvstore"
)

type item struct {
	val []byte
	at  time.Time
}

// KV is the caching decorator.
type KV struct {
	next  kvstore.KV
	clock clock.Clock
	ttl   time.Duration
	max   int

	mu    sync.Mutex
	items map[string]item
}

// Option configures the cache.
type Option func(*KV)

// WithTTL sets how long an entry is served from memory.
func WithTTL(d time.Duration) Option { return func(k *KV) { k.ttl = d } }

// WithMaxEntries bounds memory use.
func WithMaxEntries(n int) Option { return func(k *KV) { k.max = n } }

// WithClock injects a clock.
func WithClock(c clock.Clock) Option { return func(k *KV) { k.clock = c } }

// Wrap decorates next.
func Wrap(next kvstore.KV, opts ...Option) *KV {
	k := &KV{next: next, clock: clock.System{}, ttl: 10 * time.Second, max: 10_000, items: map[string]item{}}
	for _, o := range opts {
		o(k)
	}
	return k
}

// Get implements kvstore.KV.
func (k *KV) Get(ctx context.Context, key string) ([]byte, error) {
	now := k.clock.Now()
	k.mu.Lock()
	if it, ok := k.items[key]; ok && now.Sub(it.at) < k.ttl {
		k.mu.Unlock()
		return it.val, nil
	}
	k.mu.Unlock()

	v, err := k.next.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	k.mu.Lock()
	if len(k.items) >= k.max {
		clear(k.items)
	}
	k.items[key] = item{val: v, at: now}
	k.mu.Unlock()
	return v, nil
}

func (k *KV) forget(key string) {
	k.mu.Lock()
	delete(k.items, key)
	k.mu.Unlock()
}

// Put implements kvstore.KV.
func (k *KV) Put(ctx context.Context, key string, value []byte, opts ...kvstore.PutOption) error {
	k.forget(key)
	return k.next.Put(ctx, key, value, opts...)
}

// Delete implements kvstore.KV.
func (k *KV) Delete(ctx context.Context, key string) error {
	k.forget(key)
	return k.next.Delete(ctx, key)
}

// List implements kvstore.KV; listings are never cached.
func (k *KV) List(ctx context.Context, q kvstore.ListQuery) (kvstore.Page, error) {
	return k.next.List(ctx, q)
}
