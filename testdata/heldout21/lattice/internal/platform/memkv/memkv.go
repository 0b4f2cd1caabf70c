// Package memkv is an in-memory kvstore.Store for tests and local runs: a
// map guarded by a mutex, with expiry and cursor-based listing.
package memkv

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/lattice/internal/platform/kvstore"
)

type entry struct {
	value    []byte
	expires  time.Time
	metadata map[string]any
}

// Store is safe for concurrent use.
type Store struct {
	mu   sync.Mutex
	data map[string]entry
	now  func() time.Time
}

var _ kvstore.Store = (*Store)(nil)

// New returns an empty store using the wall clock.
func New() *Store {
	return &Store{data: make(map[string]entry), now: time.Now}
}

func (s *Store) live(k string) (entry, bool) {
	e, ok := s.data[k]
	if !ok {
		return entry{}, false
	}
	if !e.expires.IsZero() && !s.now().Before(e.expires) {
		delete(s.data, k)
		return entry{}, false
	}
	return e, true
}

// Get implements kvstore.Store.
func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.live(key)
	if !ok {
		return nil, kvstore.ErrNotFound
	}
	return slices.Clone(e.value), nil
}

// Put implements kvstore.Store.
func (s *Store) Put(_ context.Context, key string, value []byte, opts ...kvstore.Option) error {
	ws := kvstore.Settings(opts...)
	s.mu.Lock()
	defer s.mu.Unlock()
	e := entry{value: slices.Clone(value), metadata: maps.Clone(ws.Metadata)}
	switch {
	case ws.TTL > 0:
		e.expires = s.now().Add(ws.TTL)
	case !ws.ExpireAt.IsZero():
		e.expires = ws.ExpireAt
	}
	s.data[key] = e
	return nil
}

// Delete implements kvstore.Store.
func (s *Store) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.data, key)
	return nil
}

// List implements kvstore.Store. The cursor is the index of the next key.
func (s *Store) List(_ context.Context, q kvstore.ListQuery) (kvstore.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := make([]string, 0, len(s.data))
	for k := range s.data {
		if _, ok := s.live(k); ok && strings.HasPrefix(k, q.Prefix) {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	start, _ := strconv.Atoi(q.Cursor)
	limit := q.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	start = min(start, len(names))
	end := min(start+limit, len(names))
	page := kvstore.Page{}
	for _, n := range names[start:end] {
		e := s.data[n]
		page.Keys = append(page.Keys, kvstore.Key{Name: n, Expiration: e.expires, Metadata: maps.Clone(e.metadata)})
	}
	if end < len(names) {
		page.Cursor = strconv.Itoa(end)
	}
	return page, nil
}
