// Package memstore is an in-process storage.Store for scratch data that never
// leaves the isolate, and a stand-in for KV in tests.
package memstore

import (
	"context"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"example.com/linnet/internal/storage"
)

type entry struct {
	value    []byte
	expires  time.Time
	metadata map[string]any
}

// Store keeps values in a map guarded by a mutex.
type Store struct {
	mu   sync.Mutex
	data map[string]entry
	now  func() time.Time
}

// New returns an empty Store. now may be nil to use time.Now.
func New(now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{data: make(map[string]entry), now: now}
}

var _ storage.Store = (*Store)(nil)

func (s *Store) live(key string) (entry, bool) {
	e, ok := s.data[key]
	if ok && !e.expires.IsZero() && !s.now().Before(e.expires) {
		delete(s.data, key)
		return entry{}, false
	}
	return e, ok
}

func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.live(key)
	if !ok {
		return nil, storage.ErrNotFound
	}
	return slices.Clone(e.value), nil
}

func (s *Store) Put(_ context.Context, key string, value []byte, opts ...storage.PutOption) error {
	o := storage.ApplyPut(opts)
	e := entry{value: slices.Clone(value), metadata: maps.Clone(o.Metadata), expires: o.ExpiresAt}
	if o.TTL > 0 {
		e.expires = s.now().Add(o.TTL)
	}
	s.mu.Lock()
	s.data[key] = e
	s.mu.Unlock()
	return nil
}

func (s *Store) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.data, key)
	return nil
}

// List pages through keys in lexical order; the cursor is the last key of
// the previous page.
func (s *Store) List(_ context.Context, opts storage.ListOptions) (storage.ListPage, error) {
	limit := opts.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for k := range s.data {
		if _, ok := s.live(k); ok && strings.HasPrefix(k, opts.Prefix) && k > opts.Cursor {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	page := storage.ListPage{Complete: len(names) <= limit}
	if !page.Complete {
		names = names[:limit]
		page.Cursor = names[limit-1]
	}
	for _, n := range names {
		e := s.data[n]
		page.Keys = append(page.Keys, storage.KeyInfo{Name: n, Expiration: e.expires, Metadata: maps.Clone(e.metadata)})
	}
	return page, nil
}
