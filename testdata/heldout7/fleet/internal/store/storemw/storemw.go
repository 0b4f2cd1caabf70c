// Package storemw holds decorators for store.Store: logging, metrics and a
// small in-process read cache.
package storemw

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"example.com/fleet/internal/store"
)

// Logging logs every operation at debug level and failures at warn level.
func Logging(next store.Store, log *slog.Logger) store.Store {
	return &logging{next: next, log: log}
}

type logging struct {
	next store.Store
	log  *slog.Logger
}

func (l *logging) Get(ctx context.Context, key string) ([]byte, error) {
	v, err := l.next.Get(ctx, key)
	l.done(ctx, "get", key, err)
	return v, err
}

func (l *logging) Put(ctx context.Context, key string, value []byte, opts ...store.PutOption) error {
	err := l.next.Put(ctx, key, value, opts...)
	l.done(ctx, "put", key, err)
	return err
}

func (l *logging) Delete(ctx context.Context, key string) error {
	err := l.next.Delete(ctx, key)
	l.done(ctx, "delete", key, err)
	return err
}

func (l *logging) List(ctx context.Context, opts store.ListOptions) (store.Page, error) {
	p, err := l.next.List(ctx, opts)
	l.done(ctx, "list", opts.Prefix, err)
	return p, err
}

func (l *logging) done(ctx context.Context, op, key string, err error) {
	if err != nil && err != store.ErrNotFound {
		l.log.WarnContext(ctx, "store op failed", "op", op, "key", key, "err", err)
		return
	}
	l.log.DebugContext(ctx, "store op", "op", op, "key", key)
}

// Counters are process-local operation counters exported on /metrics.
type Counters struct {
	Reads, Writes, Deletes, Lists, Errors atomic.Int64
}

// Metrics counts operations into c.
func Metrics(next store.Store, c *Counters) store.Store {
	return &metrics{next: next, c: c}
}

type metrics struct {
	next store.Store
	c    *Counters
}

func (m *metrics) Get(ctx context.Context, key string) ([]byte, error) {
	m.c.Reads.Add(1)
	v, err := m.next.Get(ctx, key)
	m.fail(err)
	return v, err
}

func (m *metrics) Put(ctx context.Context, key string, value []byte, opts ...store.PutOption) error {
	m.c.Writes.Add(1)
	err := m.next.Put(ctx, key, value, opts...)
	m.fail(err)
	return err
}

func (m *metrics) Delete(ctx context.Context, key string) error {
	m.c.Deletes.Add(1)
	err := m.next.Delete(ctx, key)
	m.fail(err)
	return err
}

func (m *metrics) List(ctx context.Context, opts store.ListOptions) (store.Page, error) {
	m.c.Lists.Add(1)
	p, err := m.next.List(ctx, opts)
	m.fail(err)
	return p, err
}

func (m *metrics) fail(err error) {
	if err != nil && err != store.ErrNotFound {
		m.c.Errors.Add(1)
	}
}

// Cached keeps values read through it in memory for ttl. Writes and deletes
// through the decorator invalidate the local copy.
func Cached(next store.Store, ttl time.Duration) store.Store {
	return &cached{next: next, ttl: ttl, items: map[string]cacheItem{}}
}

type cacheItem struct {
	val []byte
	exp time.Time
}

type cached struct {
	next  store.Store
	ttl   time.Duration
	mu    sync.Mutex
	items map[string]cacheItem
}

func (c *cached) Get(ctx context.Context, key string) ([]byte, error) {
	c.mu.Lock()
	it, ok := c.items[key]
	c.mu.Unlock()
	if ok && time.Now().Before(it.exp) {
		return it.val, nil
	}
	v, err := c.next.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.items[key] = cacheItem{val: v, exp: time.Now().Add(c.ttl)}
	c.mu.Unlock()
	return v, nil
}

func (c *cached) Put(ctx context.Context, key string, value []byte, opts ...store.PutOption) error {
	c.forget(key)
	return c.next.Put(ctx, key, value, opts...)
}

func (c *cached) Delete(ctx context.Context, key string) error {
	c.forget(key)
	return c.next.Delete(ctx, key)
}

func (c *cached) List(ctx context.Context, opts store.ListOptions) (store.Page, error) {
	return c.next.List(ctx, opts)
}

func (c *cached) forget(key string) {
	c.mu.Lock()
	delete(c.items, key)
	c.mu.Unlock()
}
