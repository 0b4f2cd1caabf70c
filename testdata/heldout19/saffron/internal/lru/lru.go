// Package lru is a small generic least-recently-used cache with a per-entry
// lifetime, used in front of slower stores.
package lru

import (
	"container/list"
	"sync"
	"time"
)

var now = time.Now

type entry[K comparable, V any] struct {
	key     K
	value   V
	expires time.Time
}

// Cache is safe for concurrent use.
type Cache[K comparable, V any] struct {
	mu    sync.Mutex
	size  int
	ttl   time.Duration
	order *list.List
	items map[K]*list.Element
}

// New returns a cache of at most size entries, each kept for at most ttl.
func New[K comparable, V any](size int, ttl time.Duration) *Cache[K, V] {
	return &Cache[K, V]{
		size:  size,
		ttl:   ttl,
		order: list.New(),
		items: make(map[K]*list.Element, size),
	}
}

// Get returns the cached value for k.
func (c *Cache[K, V]) Get(k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var zero V
	el, ok := c.items[k]
	if !ok {
		return zero, false
	}
	e := el.Value.(*entry[K, V])
	if c.ttl > 0 && now().After(e.expires) {
		c.removeElement(el)
		return zero, false
	}
	c.order.MoveToFront(el)
	return e.value, true
}

// Add inserts or refreshes k.
func (c *Cache[K, V]) Add(k K, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	exp := now().Add(c.ttl)
	if el, ok := c.items[k]; ok {
		e := el.Value.(*entry[K, V])
		e.value, e.expires = v, exp
		c.order.MoveToFront(el)
		return
	}
	c.items[k] = c.order.PushFront(&entry[K, V]{key: k, value: v, expires: exp})
	for c.order.Len() > c.size {
		c.removeElement(c.order.Back())
	}
}

func (c *Cache[K, V]) removeElement(el *list.Element) {
	c.order.Remove(el)
	delete(c.items, el.Value.(*entry[K, V]).key)
}
