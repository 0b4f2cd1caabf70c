package storemw

import (
	"context"
	"sync"
	"time"

	"example.com/identity/internal/store"
)

type cached struct {
	v   []byte
	exp time.Time
}

// ReadCache keeps recently read values in process memory for ttl. It is meant
// for data that changes rarely (client metadata, JWKS); writes go through and
// refresh the local copy.
type ReadCache struct {
	next store.Store
	ttl  time.Duration
	mu   sync.RWMutex
	m    map[string]cached
}

// NewReadCache wraps next.
func NewReadCache(next store.Store, ttl time.Duration) *ReadCache {
	return &ReadCache{next: next, ttl: ttl, m: map[string]cached{}}
}

func (c *ReadCache) Get(ctx context.Context, key string) ([]byte, error) {
	c.mu.RLock()
	e, ok := c.m[key]
	c.mu.RUnlock()
	if ok && time.Now().Before(e.exp) {
		return e.v, nil
	}
	v, err := c.next.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.m[key] = cached{v: v, exp: time.Now().Add(c.ttl)}
	c.mu.Unlock()
	return v, nil
}

func (c *ReadCache) Put(ctx context.Context, key string, value []byte, opts ...store.PutOption) error {
	if err := c.next.Put(ctx, key, value, opts...); err != nil {
		return err
	}
	c.mu.Lock()
	c.m[key] = cached{v: value, exp: time.Now().Add(c.ttl)}
	c.mu.Unlock()
	return nil
}

func (c *ReadCache) Delete(ctx context.Context, key string) error {
	c.mu.Lock()
	delete(c.m, key)
	c.mu.Unlock()
	return c.next.Delete(ctx, key)
}

func (c *ReadCache) List(ctx context.Context, lo store.ListOptions) (*store.Page, error) {
	return c.next.List(ctx, lo)
}
