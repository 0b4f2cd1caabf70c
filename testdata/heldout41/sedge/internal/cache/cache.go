// Package cache defines the Cache interface shared by the in-process LRU and
// the KV-backed cache, and a Layered cache that puts one in front of the other.
package cache

import (
	"container/list"
	"context"
	"errors"
	"sync"

	"sedge/internal/result"
)

// Cache is a keyed cache.
type Cache[K comparable, V any] interface {
	Get(ctx context.Context, k K) (result.Option[V], error)
	Set(ctx context.Context, k K, v V) error
	Invalidate(ctx context.Context, k K) error
}

// LRU is a fixed-size in-process cache. Each worker isolate has its own.
type LRU[K comparable, V any] struct {
	mu    sync.Mutex
	cap   int
	order *list.List
	items map[K]*list.Element
}

type entry[K comparable, V any] struct {
	k K
	v V
}

// NewLRU returns an LRU holding at most n entries.
func NewLRU[K comparable, V any](n int) *LRU[K, V] {
	return &LRU[K, V]{cap: n, order: list.New(), items: make(map[K]*list.Element, n)}
}

func (c *LRU[K, V]) Get(_ context.Context, k K) (result.Option[V], error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[k]
	if !ok {
		return result.None[V](), nil
	}
	c.order.MoveToFront(el)
	return result.Some(el.Value.(entry[K, V]).v), nil
}

func (c *LRU[K, V]) Set(_ context.Context, k K, v V) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[k]; ok {
		el.Value = entry[K, V]{k, v}
		c.order.MoveToFront(el)
		return nil
	}
	c.items[k] = c.order.PushFront(entry[K, V]{k, v})
	if c.order.Len() > c.cap {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.items, last.Value.(entry[K, V]).k)
	}
	return nil
}

func (c *LRU[K, V]) Invalidate(_ context.Context, k K) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[k]; ok {
		c.order.Remove(el)
		delete(c.items, k)
	}
	return nil
}

// Layered reads Near first, then Far, and fills Near on a Far hit.
type Layered[K comparable, V any] struct {
	Near Cache[K, V]
	Far  Cache[K, V]
}

func (l Layered[K, V]) Get(ctx context.Context, k K) (result.Option[V], error) {
	if o, err := l.Near.Get(ctx, k); err == nil && o.IsSome() {
		return o, nil
	}
	o, err := l.Far.Get(ctx, k)
	if err != nil {
		return o, err
	}
	if v, ok := o.Get(); ok {
		_ = l.Near.Set(ctx, k, v)
	}
	return o, nil
}

func (l Layered[K, V]) Set(ctx context.Context, k K, v V) error {
	return errors.Join(l.Far.Set(ctx, k, v), l.Near.Set(ctx, k, v))
}

func (l Layered[K, V]) Invalidate(ctx context.Context, k K) error {
	return errors.Join(l.Far.Invalidate(ctx, k), l.Near.Invalidate(ctx, k))
}

// GetOrLoad reads through c: on a miss it calls load and stores the result.
func GetOrLoad[K comparable, V any](ctx context.Context, c Cache[K, V], k K, load func(context.Context, K) (V, error)) (V, error) {
	o, err := c.Get(ctx, k)
	if err == nil {
		if v, ok := o.Get(); ok {
			return v, nil
		}
	}
	v, err := load(ctx, k)
	if err != nil {
		return v, err
	}
	return v, c.Set(ctx, k, v)
}
