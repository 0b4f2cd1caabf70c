// Package cached is a read-through decorator for store.KV: hot keys are kept
// in isolate memory briefly, and misses ask the edge to cache the value.
package cached

import (
	"context"
	"slices"
	"sync"
	"time"

	"example.com/community/internal/store"
)

type config struct {
	localTTL, edgeTTL time.Duration
	maxItems          int
}

type Option func(*config)

// WithLocalTTL bounds how long a value stays in isolate memory.
func WithLocalTTL(d time.Duration) Option { return func(c *config) { c.localTTL = d } }

// WithEdgeCacheTTL sets the cacheTtl passed on reads that don't set one.
func WithEdgeCacheTTL(d time.Duration) Option { return func(c *config) { c.edgeTTL = d } }

// WithMaxItems caps the local map.
func WithMaxItems(n int) Option { return func(c *config) { c.maxItems = n } }

type item struct {
	val []byte
	at  time.Time
}

// Store wraps an inner store.KV.
type Store struct {
	inner store.KV
	cfg   config
	mu    sync.Mutex
	items map[string]item
}

func New(inner store.KV, opts ...Option) *Store {
	cfg := config{localTTL: 5 * time.Second, edgeTTL: time.Minute, maxItems: 512}
	for _, o := range opts {
		o(&cfg)
	}
	return &Store{inner: inner, cfg: cfg, items: make(map[string]item)}
}

func (s *Store) Get(ctx context.Context, key string, opts ...store.GetOption) ([]byte, error) {
	s.mu.Lock()
	it, ok := s.items[key]
	s.mu.Unlock()
	if ok && time.Since(it.at) < s.cfg.localTTL {
		return slices.Clone(it.val), nil
	}
	if len(opts) == 0 {
		opts = []store.GetOption{store.WithCacheTTL(s.cfg.edgeTTL)}
	}
	v, err := s.inner.Get(ctx, key, opts...)
	if err == nil {
		s.remember(key, v)
	}
	return v, err
}

func (s *Store) Put(ctx context.Context, key string, value []byte, opts ...store.PutOption) error {
	if err := s.inner.Put(ctx, key, value, opts...); err != nil {
		return err
	}
	s.remember(key, value)
	return nil
}

func (s *Store) Delete(ctx context.Context, key string) error {
	s.mu.Lock()
	delete(s.items, key)
	s.mu.Unlock()
	return s.inner.Delete(ctx, key)
}

// List is never cached: listings are used by jobs that want fresh keys.
func (s *Store) List(ctx context.Context, opts store.ListOptions) (store.ListPage, error) {
	return s.inner.List(ctx, opts)
}

func (s *Store) remember(key string, v []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.items) >= s.cfg.maxItems {
		clear(s.items) // best-effort cache; dropping everything is fine
	}
	s.items[key] = item{val: slices.Clone(v), at: time.Now()}
}
