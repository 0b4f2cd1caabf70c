// Package lru is a small generic LRU with per-entry expiry, used as an
// in-process layer in front of KV reads.
package lru

import (
	"container/list"
	"context"
	"sync"
	"time"
)

var now = time.Now

type item[K comparable, V any] struct {
	key     K
	val     V
	expires time.Time
}

// Cache is safe for concurrent use.
type Cache[K comparable, V any] struct {
	mu    sync.Mutex
	cap   int
	ttl   time.Duration
	ll    *list.List
	index map[K]*list.Element
}

// New makes a cache holding up to capacity entries for ttl each.
func New[K comparable, V any](capacity int, ttl time.Duration) *Cache[K, V] {
	return &Cache[K, V]{cap: capacity, ttl: ttl, ll: list.New(), index: make(map[K]*list.Element)}
}

// Get returns a live entry.
func (c *Cache[K, V]) Get(k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var zero V
	el, ok := c.index[k]
	if !ok {
		return zero, false
	}
	it := el.Value.(*item[K, V])
	if now().After(it.expires) {
		c.ll.Remove(el)
		delete(c.index, k)
		return zero, false
	}
	c.ll.MoveToFront(el)
	return it.val, true
}

// Set stores v under k.
func (c *Cache[K, V]) Set(k K, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.index[k]; ok {
		it := el.Value.(*item[K, V])
		it.val, it.expires = v, now().Add(c.ttl)
		c.ll.MoveToFront(el)
		return
	}
	c.index[k] = c.ll.PushFront(&item[K, V]{key: k, val: v, expires: now().Add(c.ttl)})
	for c.ll.Len() > c.cap {
		last := c.ll.Back()
		c.ll.Remove(last)
		delete(c.index, last.Value.(*item[K, V]).key)
	}
}

// Remove drops k.
func (c *Cache[K, V]) Remove(k K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.index[k]; ok {
		c.ll.Remove(el)
		delete(c.index, k)
	}
}

// GetOrLoad returns the cached value or calls load and caches its result.
func (c *Cache[K, V]) GetOrLoad(ctx context.Context, k K, load func(context.Context, K) (V, error)) (V, error) {
	if v, ok := c.Get(k); ok {
		return v, nil
	}
	v, err := load(ctx, k)
	if err != nil {
		return v, err
	}
	c.Set(k, v)
	return v, nil
}
