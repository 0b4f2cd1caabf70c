// Package instrument wraps a kvstore.Store with metrics and a small
// in-process read cache.
package instrument

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"example.com/fleet/internal/cache"
	"example.com/fleet/internal/kvstore"
)

// Recorder receives one observation per operation.
type Recorder interface {
	Observe(op string, d time.Duration, err error)
}

// LogRecorder logs slow or failed operations.
type LogRecorder struct {
	Log  *slog.Logger
	Slow time.Duration
}

func (r LogRecorder) Observe(op string, d time.Duration, err error) {
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		r.Log.Warn("kv op failed", "op", op, "err", err)
		return
	}
	if d > r.Slow {
		r.Log.Info("kv op slow", "op", op, "took", d)
	}
}

// Metered decorates a Store with a Recorder.
type Metered struct {
	next kvstore.Store
	rec  Recorder
}

func NewMetered(next kvstore.Store, rec Recorder) *Metered {
	return &Metered{next: next, rec: rec}
}

func (m *Metered) observe(op string, fn func() error) error {
	start := time.Now()
	err := fn()
	m.rec.Observe(op, time.Since(start), err)
	return err
}

func (m *Metered) Get(ctx context.Context, key string) (v []byte, err error) {
	err = m.observe("get", func() error {
		v, err = m.next.Get(ctx, key)
		return err
	})
	return v, err
}

func (m *Metered) Put(ctx context.Context, key string, value []byte, opts ...kvstore.PutOption) error {
	return m.observe("put", func() error { return m.next.Put(ctx, key, value, opts...) })
}

func (m *Metered) Delete(ctx context.Context, key string) error {
	return m.observe("delete", func() error { return m.next.Delete(ctx, key) })
}

func (m *Metered) List(ctx context.Context, prefix, cursor string, limit int) (p kvstore.Page, err error) {
	err = m.observe("list", func() error {
		p, err = m.next.List(ctx, prefix, cursor, limit)
		return err
	})
	return p, err
}

// LocalCache keeps recent Get results in memory for a few seconds so that
// bursts of identical reads inside one process hit KV once. Writes and
// deletes go straight through and drop the local copy.
type LocalCache struct {
	kvstore.Store
	recent *cache.Cache[string, []byte]
}

func NewLocalCache(next kvstore.Store, ttl time.Duration) *LocalCache {
	return &LocalCache{Store: next, recent: cache.New[string, []byte](ttl)}
}

func (c *LocalCache) Get(ctx context.Context, key string) ([]byte, error) {
	if v, ok := c.recent.Get(key); ok {
		return v, nil
	}
	v, err := c.Store.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	c.recent.Set(key, v)
	return v, nil
}

func (c *LocalCache) Put(ctx context.Context, key string, value []byte, opts ...kvstore.PutOption) error {
	c.recent.Forget(key)
	return c.Store.Put(ctx, key, value, opts...)
}

func (c *LocalCache) Delete(ctx context.Context, key string) error {
	c.recent.Forget(key)
	return c.Store.Delete(ctx, key)
}
