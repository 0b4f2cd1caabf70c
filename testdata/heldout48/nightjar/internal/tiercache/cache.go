// Package tiercache keeps hot KV values in process memory in front of KV,
// and buffers low-value writes.
package tiercache

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/ledgerline/nightjar/internal/kvstore"
)

type entry struct {
	val     []byte
	expires time.Time
}

// Loader computes a value from the source of truth on a miss.
type Loader func(ctx context.Context) ([]byte, error)

// Cache is a read-through cache: process memory, then KV, then the loader.
type Cache struct {
	kv       *kvstore.Logged
	localTTL time.Duration
	kvTTL    time.Duration

	local sync.Map // string -> entry
	group singleflight.Group
}

// New returns a cache that keeps values in memory for localTTL and in KV
// for kvTTL.
func New(kv *kvstore.Logged, localTTL, kvTTL time.Duration) *Cache {
	return &Cache{kv: kv, localTTL: localTTL, kvTTL: kvTTL}
}

// Get returns the cached value for key, loading and storing it on a miss.
func (c *Cache) Get(ctx context.Context, key string, load Loader) ([]byte, error) {
	if v, ok := c.local.Load(key); ok {
		e := v.(entry)
		if time.Now().Before(e.expires) {
			return e.val, nil
		}
		c.local.Delete(key)
	}
	v, err, _ := c.group.Do(key, func() (any, error) {
		raw, err := c.kv.Get(ctx, key)
		if err == nil {
			c.remember(key, raw)
			return raw, nil
		}
		if !errors.Is(err, kvstore.ErrNotFound) {
			return nil, err
		}
		fresh, err := load(ctx)
		if err != nil {
			return nil, err
		}
		if err := c.kv.Put(ctx, key, fresh, c.kvTTL); err != nil {
			slog.WarnContext(ctx, "tiercache: fill failed", "key", key, "err", err)
		}
		c.remember(key, fresh)
		return fresh, nil
	})
	if err != nil {
		return nil, err
	}
	return v.([]byte), nil
}

// Invalidate drops key from memory and KV. Other processes keep their
// in-memory copy until localTTL passes.
func (c *Cache) Invalidate(ctx context.Context, key string) error {
	c.local.Delete(key)
	c.group.Forget(key)
	return c.kv.Delete(ctx, key)
}

func (c *Cache) remember(key string, val []byte) {
	c.local.Store(key, entry{val: val, expires: time.Now().Add(c.localTTL)})
}
