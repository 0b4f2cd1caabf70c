// Package lru is a small generic LRU cache whose entries also expire.
package lru

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

// Cache holds at most size entries for at most ttl each.
type Cache[K comparable, V any] struct {
	mu    sync.Mutex
	size  int
	ttl   time.Duration
	ll    *list.List
	items map[K]*list.Element
}

// New returns a cache of size entries that live for ttl.
func New[K comparable, V any](size int, ttl time.Duration) *Cache[K, V] {
	return &Cache[K, V]{size: max(size, 1), ttl: ttl, ll: list.New(), items: map[K]*list.Element{}}
}

// Get returns the cached value of k, if present and fresh.
func (c *Cache[K, V]) Get(k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var zero V
	el, ok := c.items[k]
	if !ok {
		return zero, false
	}
	it := el.Value.(*item[K, V])
	if time.Now().After(it.expires) {
		c.ll.Remove(el)
		delete(c.items, k)
		return zero, false
	}
	c.ll.MoveToFront(el)
	return it.val, true
}

// Add stores v under k, evicting the least recently used entry if full.
func (c *Cache[K, V]) Add(k K, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[k]; ok {
		c.ll.Remove(el)
	}
	c.items[k] = c.ll.PushFront(&item[K, V]{key: k, val: v, expires: time.Now().Add(c.ttl)})
	for c.ll.Len() > c.size {
		last := c.ll.Back()
		c.ll.Remove(last)
		delete(c.items, last.Value.(*item[K, V]).key)
	}
}

// Remove drops k.
func (c *Cache[K, V]) Remove(k K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[k]; ok {
		c.ll.Remove(el)
		delete(c.items, k)
	}
}
