// Package cache is a read-through, in-process caching decorator for
// store.Store. It only remembers values inside this process.
package cache

import (
	"context"
	"sync"
	"time"

	"example.com/deploy/internal/store"
)

// Option configures the decorator.
type Option func(*Store)

// WithTTL sets how long a value is served from memory.
func WithTTL(d time.Duration) Option { return func(s *Store) { s.ttl = d } }

// WithMaxEntries caps the number of cached keys.
func WithMaxEntries(n int) Option { return func(s *Store) { s.max = n } }

type entry struct {
	val     []byte
	expires time.Time
}

// Store is the caching decorator.
type Store struct {
	store.Store // List is passed through uncached
	ttl         time.Duration
	max         int
	mu          sync.Mutex
	entries     map[string]entry
}

// New wraps next.
func New(next store.Store, opts ...Option) *Store {
	s := &Store{Store: next, ttl: 5 * time.Second, max: 4096, entries: map[string]entry{}}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Get serves from memory when fresh, else reads through.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	now := time.Now()
	s.mu.Lock()
	e, ok := s.entries[key]
	s.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.val, nil
	}
	v, err := s.Store.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if len(s.entries) >= s.max {
		clear(s.entries)
	}
	s.entries[key] = entry{val: v, expires: now.Add(s.ttl)}
	s.mu.Unlock()
	return v, nil
}

func (s *Store) Put(ctx context.Context, key string, value []byte, opts ...store.PutOption) error {
	s.forget(key)
	return s.Store.Put(ctx, key, value, opts...)
}

func (s *Store) PutMany(ctx context.Context, entries []store.Entry) error {
	for _, e := range entries {
		s.forget(e.Key)
	}
	return s.Store.PutMany(ctx, entries)
}

func (s *Store) Delete(ctx context.Context, key string) error {
	s.forget(key)
	return s.Store.Delete(ctx, key)
}

func (s *Store) forget(key string) {
	s.mu.Lock()
	delete(s.entries, key)
	s.mu.Unlock()
}
