// Package cache defines the generic cache interface and its in-process
// implementation. The KV implementation lives in kvstore; Layered stacks one
// over the other.
package cache

import (
	"container/list"
	"context"
	"sync"
	"time"

	"merlin/internal/result"
)

// Cache is a keyed cache with per-entry lifetimes.
type Cache[K comparable, V any] interface {
	Get(ctx context.Context, k K) (result.Option[V], error)
	Set(ctx context.Context, k K, v V, ttl time.Duration) error
	Invalidate(ctx context.Context, k K) error
}

// LRU is a bounded in-process cache. It lives as long as the isolate.
type LRU[K comparable, V any] struct {
	mu    sync.Mutex
	cap   int
	ll    *list.List
	items map[K]*list.Element
	now   func() time.Time
}

type entry[K comparable, V any] struct {
	k   K
	v   V
	exp time.Time
}

// NewLRU returns an LRU holding at most size entries.
func NewLRU[K comparable, V any](size int) *LRU[K, V] {
	return &LRU[K, V]{cap: max(size, 1), ll: list.New(), items: make(map[K]*list.Element), now: time.Now}
}

func (c *LRU[K, V]) Get(_ context.Context, k K) (result.Option[V], error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[k]
	if !ok {
		return result.None[V](), nil
	}
	e := el.Value.(*entry[K, V])
	if !e.exp.IsZero() && c.now().After(e.exp) {
		c.ll.Remove(el)
		delete(c.items, k)
		return result.None[V](), nil
	}
	c.ll.MoveToFront(el)
	return result.Some(e.v), nil
}

func (c *LRU[K, V]) Set(_ context.Context, k K, v V, ttl time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var exp time.Time
	if ttl > 0 {
		exp = c.now().Add(ttl)
	}
	if el, ok := c.items[k]; ok {
		el.Value = &entry[K, V]{k: k, v: v, exp: exp}
		c.ll.MoveToFront(el)
		return nil
	}
	c.items[k] = c.ll.PushFront(&entry[K, V]{k: k, v: v, exp: exp})
	for c.ll.Len() > c.cap {
		last := c.ll.Back()
		c.ll.Remove(last)
		delete(c.items, last.Value.(*entry[K, V]).k)
	}
	return nil
}

func (c *LRU[K, V]) Invalidate(_ context.Context, k K) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[k]; ok {
		c.ll.Remove(el)
		delete(c.items, k)
	}
	return nil
}

// Layered answers from Near when it can and fills Near from Far.
type Layered[K comparable, V any] struct {
	Near    Cache[K, V]
	Far     Cache[K, V]
	NearTTL time.Duration
}

func (l Layered[K, V]) Get(ctx context.Context, k K) (result.Option[V], error) {
	if v, err := l.Near.Get(ctx, k); err == nil && v.IsSome() {
		return v, nil
	}
	v, err := l.Far.Get(ctx, k)
	if err != nil || !v.IsSome() {
		return v, err
	}
	val, _ := v.Get()
	_ = l.Near.Set(ctx, k, val, l.NearTTL)
	return v, nil
}

func (l Layered[K, V]) Set(ctx context.Context, k K, v V, ttl time.Duration) error {
	if err := l.Far.Set(ctx, k, v, ttl); err != nil {
		return err
	}
	return l.Near.Set(ctx, k, v, min(ttl, l.NearTTL))
}

func (l Layered[K, V]) Invalidate(ctx context.Context, k K) error {
	_ = l.Near.Invalidate(ctx, k)
	return l.Far.Invalidate(ctx, k)
}
