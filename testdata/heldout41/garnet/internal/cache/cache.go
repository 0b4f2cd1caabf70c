// Package cache provides a generic cache interface with an in-process LRU and
// a KV-backed implementation, and a layering of one over the other.
package cache

import (
	"container/list"
	"context"
	"encoding/json"
	"sync"
	"time"

	"garnet/internal/kvstore"
	"garnet/internal/result"
)

// Cache maps keys to values; a miss is None, not an error.
type Cache[K comparable, V any] interface {
	Get(ctx context.Context, k K) (result.Option[V], error)
	Set(ctx context.Context, k K, v V) error
}

// LRU is a bounded in-process cache.
type LRU[K comparable, V any] struct {
	mu    sync.Mutex
	cap   int
	ll    *list.List
	items map[K]*list.Element
}

type lruEntry[K comparable, V any] struct {
	k K
	v V
}

// NewLRU returns an LRU holding at most capacity entries.
func NewLRU[K comparable, V any](capacity int) *LRU[K, V] {
	return &LRU[K, V]{cap: capacity, ll: list.New(), items: map[K]*list.Element{}}
}

func (c *LRU[K, V]) Get(_ context.Context, k K) (result.Option[V], error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[k]; ok {
		c.ll.MoveToFront(el)
		return result.Some(el.Value.(lruEntry[K, V]).v), nil
	}
	return result.None[V](), nil
}

func (c *LRU[K, V]) Set(_ context.Context, k K, v V) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[k]; ok {
		el.Value = lruEntry[K, V]{k, v}
		c.ll.MoveToFront(el)
		return nil
	}
	c.items[k] = c.ll.PushFront(lruEntry[K, V]{k, v})
	if c.ll.Len() > c.cap {
		last := c.ll.Back()
		c.ll.Remove(last)
		delete(c.items, last.Value.(lruEntry[K, V]).k)
	}
	return nil
}

// KV stores JSON-encoded values in a KV view. TTL is asked for on every Set so
// that lifetimes follow configuration reloads.
type KV[K comparable, V any] struct {
	Store kvstore.Store
	KeyOf func(K) string
	TTL   func() time.Duration
}

func (c KV[K, V]) Get(ctx context.Context, k K) (result.Option[V], error) {
	opt, err := c.Store.Lookup(ctx, c.KeyOf(k))
	if err != nil {
		return result.None[V](), err
	}
	raw, ok := opt.Get()
	if !ok {
		return result.None[V](), nil
	}
	var v V
	if err := json.Unmarshal(raw, &v); err != nil {
		return result.None[V](), err
	}
	return result.Some(v), nil
}

func (c KV[K, V]) Set(ctx context.Context, k K, v V) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return c.Store.PutFresh(ctx, c.KeyOf(k), raw, c.TTL())
}

// Layered reads Front first, then Back, filling Front on a Back hit. Set
// writes both.
type Layered[K comparable, V any] struct {
	Front Cache[K, V]
	Back  Cache[K, V]
}

func (l Layered[K, V]) Get(ctx context.Context, k K) (result.Option[V], error) {
	if v, err := l.Front.Get(ctx, k); err == nil && v.IsSome() {
		return v, nil
	}
	v, err := l.Back.Get(ctx, k)
	if err != nil || !v.IsSome() {
		return v, err
	}
	got, _ := v.Get()
	_ = l.Front.Set(ctx, k, got)
	return v, nil
}

func (l Layered[K, V]) Set(ctx context.Context, k K, v V) error {
	if err := l.Back.Set(ctx, k, v); err != nil {
		return err
	}
	return l.Front.Set(ctx, k, v)
}
