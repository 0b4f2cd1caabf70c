package store

import (
	"context"
	"time"

	"example.com/saffron/internal/lru"
)

// Cached is a Reader decorator that keeps recently read values in process
// memory. Misses are not cached, so a value created elsewhere becomes
// visible on the next read.
type Cached struct {
	next  Reader
	cache *lru.Cache[string, []byte]
}

// NewCached wraps next with an LRU of the given size and lifetime.
func NewCached(next Reader, size int, ttl time.Duration) *Cached {
	return &Cached{next: next, cache: lru.New[string, []byte](size, ttl)}
}

// Get implements Reader.
func (c *Cached) Get(ctx context.Context, key string) ([]byte, error) {
	if v, ok := c.cache.Get(key); ok {
		return v, nil
	}
	v, err := c.next.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	c.cache.Add(key, v)
	return v, nil
}
