// Package cache is a small in-isolate LRU with per-entry expiry.
package cache

import (
	"container/list"
	"sync"
	"time"
)

type item[K comparable, V any] struct {
	key     K
	val     V
	expires time.Time
}

// Cache is safe for concurrent use.
type Cache[K comparable, V any] struct {
	mu    sync.Mutex
	max   int
	ttl   time.Duration
	ll    *list.List
	items map[K]*list.Element
	now   func() time.Time
}

func New[K comparable, V any](max int, ttl time.Duration) *Cache[K, V] {
	return &Cache[K, V]{max: max, ttl: ttl, ll: list.New(), items: map[K]*list.Element{}, now: time.Now}
}

func (c *Cache[K, V]) Get(k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var zero V
	el, ok := c.items[k]
	if !ok {
		return zero, false
	}
	it := el.Value.(*item[K, V])
	if c.now().After(it.expires) {
		c.ll.Remove(el)
		delete(c.items, k)
		return zero, false
	}
	c.ll.MoveToFront(el)
	return it.val, true
}

func (c *Cache[K, V]) Set(k K, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[k]; ok {
		it := el.Value.(*item[K, V])
		it.val, it.expires = v, c.now().Add(c.ttl)
		c.ll.MoveToFront(el)
		return
	}
	c.items[k] = c.ll.PushFront(&item[K, V]{key: k, val: v, expires: c.now().Add(c.ttl)})
	for c.ll.Len() > c.max {
		last := c.ll.Back()
		c.ll.Remove(last)
		delete(c.items, last.Value.(*item[K, V]).key)
	}
}

func (c *Cache[K, V]) Remove(k K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[k]; ok {
		c.ll.Remove(el)
		delete(c.items, k)
	}
}
