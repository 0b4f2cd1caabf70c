// Package cache puts an in-process layer in front of a storage.Store and
// fills both layers from a loader on a miss.
package cache

import (
	"context"
	"fmt"
	"sync"
	"time"

	"example.com/alder/internal/storage"
)

// minRemoteTTL is the shortest expiry the remote store accepts.
const minRemoteTTL = time.Minute

// Loader fetches a value from the source of truth.
type Loader func(ctx context.Context, key string) ([]byte, error)

type localEntry struct {
	value   []byte
	fetched time.Time
}

// ReadThrough serves from a sync.Map, then the store, then the loader.
type ReadThrough struct {
	store    storage.Store
	load     Loader
	ttl      time.Duration
	localAge time.Duration
	local    sync.Map
}

// NewReadThrough returns a cache whose remote entries live for ttl (never less
// than a minute) and whose local entries live for localAge.
func NewReadThrough(store storage.Store, load Loader, ttl, localAge time.Duration) *ReadThrough {
	if ttl < minRemoteTTL {
		ttl = minRemoteTTL
	}
	return &ReadThrough{store: store, load: load, ttl: ttl, localAge: localAge}
}

// Get returns the value for key from the nearest layer that has it.
func (c *ReadThrough) Get(ctx context.Context, key string) ([]byte, error) {
	if v, ok := c.local.Load(key); ok {
		e := v.(localEntry)
		if time.Since(e.fetched) < c.localAge {
			return e.value, nil
		}
		c.local.Delete(key)
	}
	raw, err := c.store.Get(ctx, key)
	if err == nil {
		c.local.Store(key, localEntry{value: raw, fetched: time.Now()})
		return raw, nil
	}
	if !storage.IsNotFound(err) {
		return nil, err
	}
	raw, err = c.load(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("cache: load %s: %w", key, err)
	}
	if err := c.store.Put(ctx, key, raw, storage.PutOptions{TTL: c.ttl}); err != nil {
		return nil, err
	}
	c.local.Store(key, localEntry{value: raw, fetched: time.Now()})
	return raw, nil
}
