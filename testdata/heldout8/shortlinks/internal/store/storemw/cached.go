package storemw

import (
	"context"
	"time"

	"example.com/shortlinks/internal/cache"
	"example.com/shortlinks/internal/store"
)

// Cached keeps recently read values in isolate memory. Writes go through and
// refresh the local copy; other isolates may serve the old value until their
// copy expires.
type Cached struct {
	next  store.Store
	local *cache.Cache[string, string]
}

func NewCached(next store.Store, size int, ttl time.Duration) *Cached {
	return &Cached{next: next, local: cache.New[string, string](size, ttl)}
}

func (c *Cached) Get(ctx context.Context, key string) (string, bool, error) {
	if v, ok := c.local.Get(key); ok {
		return v, true, nil
	}
	v, ok, err := c.next.Get(ctx, key)
	if err != nil || !ok {
		return v, ok, err
	}
	c.local.Set(key, v)
	return v, true, nil
}

func (c *Cached) Put(ctx context.Context, key, value string, opts ...store.PutOption) error {
	if err := c.next.Put(ctx, key, value, opts...); err != nil {
		return err
	}
	c.local.Set(key, value)
	return nil
}

func (c *Cached) Delete(ctx context.Context, key string) error {
	c.local.Remove(key)
	return c.next.Delete(ctx, key)
}

func (c *Cached) List(ctx context.Context, p store.ListParams) (store.Page, error) {
	return c.next.List(ctx, p)
}
