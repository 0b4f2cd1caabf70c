//go:build js && wasm

package kvx

import (
	"container/list"
	"context"
	"fmt"
	"sync"
	"time"

	"wren/internal/store"
)

// localMaxAge bounds how long the in-isolate copy is trusted.
const localMaxAge = 20 * time.Second

type entry struct {
	key string
	val string
	at  time.Time
}

type flight struct {
	done chan struct{}
	val  string
	err  error
}

// Cache is a two-level read-through cache: a small LRU inside the isolate in
// front of a KV namespace, with concurrent loads of one key coalesced.
type Cache struct {
	kv  store.KV
	max int

	mu       sync.Mutex
	ll       *list.List
	idx      map[string]*list.Element
	inflight map[string]*flight
}

// NewCache returns a cache of at most max local entries in front of kv.
func NewCache(kv store.KV, max int) *Cache {
	return &Cache{
		kv:       kv,
		max:      max,
		ll:       list.New(),
		idx:      make(map[string]*list.Element),
		inflight: make(map[string]*flight),
	}
}

// Get returns the value of key, calling load when neither level has it. A
// loaded value is written back to KV for ttl; lifetimes under a minute are
// raised to one minute.
func (c *Cache) Get(ctx context.Context, key string, ttl time.Duration, load func(context.Context) (string, error)) (string, error) {
	c.mu.Lock()
	if el, ok := c.idx[key]; ok {
		e := el.Value.(*entry)
		if time.Since(e.at) < localMaxAge {
			c.ll.MoveToFront(el)
			c.mu.Unlock()
			return e.val, nil
		}
		c.ll.Remove(el)
		delete(c.idx, key)
	}
	if f, ok := c.inflight[key]; ok {
		c.mu.Unlock()
		<-f.done
		return f.val, f.err
	}
	f := &flight{done: make(chan struct{})}
	c.inflight[key] = f
	c.mu.Unlock()

	f.val, f.err = c.fill(ctx, key, ttl, load)
	close(f.done)

	c.mu.Lock()
	delete(c.inflight, key)
	if f.err == nil {
		c.remember(key, f.val)
	}
	c.mu.Unlock()
	return f.val, f.err
}

func (c *Cache) fill(ctx context.Context, key string, ttl time.Duration, load func(context.Context) (string, error)) (string, error) {
	v, ok, err := c.kv.Get(ctx, key)
	if err != nil {
		return "", fmt.Errorf("cache get: %w", err)
	}
	if ok {
		return v, nil
	}
	v, err = load(ctx)
	if err != nil {
		return "", fmt.Errorf("cache load %s: %w", key, err)
	}
	if ttl < time.Minute {
		ttl = time.Minute
	}
	if err := c.kv.Put(ctx, key, v, ttl); err != nil {
		return v, fmt.Errorf("cache fill: %w", err)
	}
	return v, nil
}

// remember stores a value locally; c.mu must be held.
func (c *Cache) remember(key, val string) {
	if el, ok := c.idx[key]; ok {
		c.ll.Remove(el)
	}
	c.idx[key] = c.ll.PushFront(&entry{key: key, val: val, at: time.Now()})
	for c.ll.Len() > c.max {
		old := c.ll.Back()
		c.ll.Remove(old)
		delete(c.idx, old.Value.(*entry).key)
	}
}

// Invalidate drops key from both levels.
func (c *Cache) Invalidate(ctx context.Context, key string) error {
	c.mu.Lock()
	if el, ok := c.idx[key]; ok {
		c.ll.Remove(el)
		delete(c.idx, key)
	}
	c.mu.Unlock()
	return c.kv.Delete(ctx, key)
}
