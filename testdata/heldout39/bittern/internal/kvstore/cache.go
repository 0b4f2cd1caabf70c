package kvstore

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Cache is an in-process map in front of per-tenant namespaces. Entries are
// trusted for localTTL; concurrent misses for the same key share one read.
type Cache struct {
	resolve  func(tenant string) Reader
	localTTL time.Duration

	mu       sync.Mutex
	entries  map[string]cacheEntry
	inflight map[string]*flight
}

type cacheEntry struct {
	value   []byte
	fetched time.Time
}

type flight struct {
	done  chan struct{}
	value []byte
	err   error
}

// NewCache returns an empty cache.
func NewCache(resolve func(tenant string) Reader, localTTL time.Duration) *Cache {
	return &Cache{resolve: resolve, localTTL: localTTL, entries: make(map[string]cacheEntry), inflight: make(map[string]*flight)}
}

// Get returns the value of key in tenant's namespace.
func (c *Cache) Get(ctx context.Context, tenant, key string) ([]byte, error) {
	id := tenant + "\x00" + key
	c.mu.Lock()
	if e, ok := c.entries[id]; ok && time.Since(e.fetched) < c.localTTL {
		c.mu.Unlock()
		return e.value, nil
	}
	f, ok := c.inflight[id]
	if !ok {
		f = &flight{done: make(chan struct{})}
		c.inflight[id] = f
	}
	c.mu.Unlock()
	if ok {
		select {
		case <-f.done:
			return f.value, f.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}

	f.value, f.err = c.resolve(tenant).Get(ctx, key)
	c.mu.Lock()
	delete(c.inflight, id)
	if f.err == nil {
		c.entries[id] = cacheEntry{value: f.value, fetched: time.Now()}
	}
	c.mu.Unlock()
	close(f.done)
	return f.value, f.err
}

// Forget drops the local copy of key so the next Get reads KV.
func (c *Cache) Forget(tenant, key string) {
	c.mu.Lock()
	delete(c.entries, tenant+"\x00"+key)
	c.mu.Unlock()
}

// ReadThrough returns the value stored under key, or calls load, stores
// its result for ttl and returns it. KV does not accept lifetimes under a
// minute, so shorter ttls are raised to one minute.
func ReadThrough(ctx context.Context, st interface {
	Reader
	Writer
}, key string, ttl time.Duration, load func(context.Context) ([]byte, error)) ([]byte, error) {
	v, err := st.Get(ctx, key)
	if err == nil {
		return v, nil
	}
	if !IsNotFound(err) {
		return nil, err
	}
	v, err = load(ctx)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", key, err)
	}
	if ttl < time.Minute {
		ttl = time.Minute
	}
	if err := st.Put(ctx, key, v, ttl); err != nil {
		return nil, err
	}
	return v, nil
}
