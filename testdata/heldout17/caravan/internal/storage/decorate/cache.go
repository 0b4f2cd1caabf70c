package decorate

import (
	"context"
	"slices"
	"sync"
	"time"

	"example.com/caravan/internal/platform/clock"
	"example.com/caravan/internal/storage"
)

type cached struct {
	value []byte
	err   error
	until time.Time
}

// LocalCache keeps recently read values, and misses, in process memory in
// front of a Store, so hot settings do not cost a request per read.
type LocalCache struct {
	storage.Store
	clock clock.Clock
	ttl   time.Duration
	max   int

	mu    sync.Mutex
	items map[string]cached
}

// WithLocalCache wraps st with a cache of at most max entries kept for ttl.
func WithLocalCache(st storage.Store, c clock.Clock, ttl time.Duration, max int) *LocalCache {
	return &LocalCache{Store: st, clock: c, ttl: ttl, max: max, items: map[string]cached{}}
}

func (c *LocalCache) Unwrap() storage.Store { return c.Store }

func (c *LocalCache) Get(ctx context.Context, key string) ([]byte, error) {
	now := c.clock.Now()
	c.mu.Lock()
	it, ok := c.items[key]
	c.mu.Unlock()
	if ok && now.Before(it.until) {
		return slices.Clone(it.value), it.err
	}
	v, err := c.Store.Get(ctx, key)
	if err == nil || storage.IsNotFound(err) {
		c.mu.Lock()
		if len(c.items) >= c.max {
			clear(c.items)
		}
		c.items[key] = cached{value: slices.Clone(v), err: err, until: now.Add(c.ttl)}
		c.mu.Unlock()
	}
	return v, err
}

func (c *LocalCache) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	c.forget(key)
	return c.Store.Put(ctx, key, value, ttl)
}

func (c *LocalCache) Delete(ctx context.Context, key string) error {
	c.forget(key)
	return c.Store.Delete(ctx, key)
}

func (c *LocalCache) forget(key string) {
	c.mu.Lock()
	delete(c.items, key)
	c.mu.Unlock()
}
