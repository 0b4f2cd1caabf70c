// Package storemw holds decorators for store.Store: logging, metrics and an
// in-isolate read cache. Each one is itself a store.Store.
package storemw

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"example.com/pressroom/internal/cache"
	"example.com/pressroom/internal/store"
)

// Logged logs writes. Reads and lists go straight to the embedded store.
type Logged struct {
	store.Store
	Log *slog.Logger
}

// Put logs the key and size of every write.
func (l Logged) Put(ctx context.Context, key, value string, opts ...store.PutOption) error {
	err := l.Store.Put(ctx, key, value, opts...)
	l.Log.DebugContext(ctx, "kv put", "key", key, "bytes", len(value), "err", err)
	return err
}

// Counters is the subset of our metrics client the decorator needs.
type Counters interface {
	Add(name string, delta int64)
	Observe(name string, d time.Duration)
}

// Metered counts operations and their latency.
type Metered struct {
	next store.Store
	m    Counters
}

// Metrics wraps next.
func Metrics(next store.Store, m Counters) *Metered { return &Metered{next: next, m: m} }

func (s *Metered) track(op string, start time.Time, err error) {
	s.m.Add("kv."+op, 1)
	if err != nil {
		s.m.Add("kv."+op+".error", 1)
	}
	s.m.Observe("kv."+op+".latency", time.Since(start))
}

func (s *Metered) Get(ctx context.Context, key string) (v string, ok bool, err error) {
	defer func(t time.Time) { s.track("get", t, err) }(time.Now())
	return s.next.Get(ctx, key)
}

func (s *Metered) Put(ctx context.Context, key, value string, opts ...store.PutOption) (err error) {
	defer func(t time.Time) { s.track("put", t, err) }(time.Now())
	return s.next.Put(ctx, key, value, opts...)
}

func (s *Metered) Delete(ctx context.Context, key string) (err error) {
	defer func(t time.Time) { s.track("delete", t, err) }(time.Now())
	return s.next.Delete(ctx, key)
}

func (s *Metered) List(ctx context.Context, prefix, cursor string, limit int) (p store.Page, err error) {
	defer func(t time.Time) { s.track("list", t, err) }(time.Now())
	return s.next.List(ctx, prefix, cursor, limit)
}

// Cached keeps recently read values in the isolate for a short time.
type Cached struct {
	store.Store
	local *cache.Cache[string, string]
}

// ReadCache wraps next with an isolate-local cache of the given lifetime.
func ReadCache(next store.Store, ttl time.Duration, size int) *Cached {
	return &Cached{Store: next, local: cache.New[string, string](ttl, size)}
}

func (c *Cached) Get(ctx context.Context, key string) (string, bool, error) {
	if v, ok := c.local.Get(key); ok {
		return v, true, nil
	}
	v, ok, err := c.Store.Get(ctx, key)
	if err == nil && ok {
		c.local.Set(key, v)
	}
	return v, ok, err
}

func (c *Cached) Put(ctx context.Context, key, value string, opts ...store.PutOption) error {
	c.local.Forget(key)
	return c.Store.Put(ctx, key, value, opts...)
}

func (c *Cached) Delete(ctx context.Context, key string) error {
	c.local.Forget(key)
	return c.Store.Delete(ctx, key)
}

// MemCounters is a Counters that keeps totals in memory; /debug/vars prints it.
type MemCounters struct {
	mu     sync.Mutex
	totals map[string]int64
}

func (m *MemCounters) Add(name string, delta int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.totals == nil {
		m.totals = make(map[string]int64)
	}
	m.totals[name] += delta
}

func (m *MemCounters) Observe(name string, d time.Duration) { m.Add(name+".ms", d.Milliseconds()) }

// Snapshot copies the totals.
func (m *MemCounters) Snapshot() map[string]int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]int64, len(m.totals))
	for k, v := range m.totals {
		out[k] = v
	}
	return out
}
