//go:build js && wasm

package kvstore

import (
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// Cache is a two-tier read-through cache: an in-isolate map in front of a KV
// namespace in front of a loader. Concurrent misses for one key share a load.
type Cache struct {
	kv       *Store
	kvTTL    time.Duration
	localTTL time.Duration

	mu    sync.Mutex
	items map[string]entry
	group singleflight.Group
}

type entry struct {
	value   string
	expires time.Time
}

// NewCache returns a cache that keeps values for kvTTL in KV and for localTTL
// in memory.
func NewCache(kv *Store, kvTTL, localTTL time.Duration) *Cache {
	return &Cache{kv: kv, kvTTL: kvTTL, localTTL: localTTL, items: map[string]entry{}}
}

// Get returns the value of key, loading and storing it on a miss.
func (c *Cache) Get(key string, load func() (string, error)) (string, error) {
	c.mu.Lock()
	e, ok := c.items[key]
	c.mu.Unlock()
	if ok && time.Now().Before(e.expires) {
		return e.value, nil
	}
	v, err, _ := c.group.Do(key, func() (any, error) {
		v, ok, err := c.kv.Get(key)
		if err != nil {
			return "", err
		}
		if !ok {
			if v, err = load(); err != nil {
				return "", err
			}
			if err := c.kv.Put(key, v, c.kvTTL); err != nil {
				return "", err
			}
		}
		c.mu.Lock()
		c.items[key] = entry{value: v, expires: time.Now().Add(c.localTTL)}
		c.mu.Unlock()
		return v, nil
	})
	if err != nil {
		return "", err
	}
	return v.(string), nil
}

// Invalidate drops key from both tiers.
func (c *Cache) Invalidate(key string) error {
	c.mu.Lock()
	delete(c.items, key)
	c.mu.Unlock()
	return c.kv.Delete(key)
}
