// Package memstore is an in-memory store.Store used by tests and local runs.
package memstore

import (
	"context"
	"sort"
	"strings"
	"sync"
	"time"

	"example.com/lantern/internal/store"
)

type entry struct {
	value   []byte
	expires time.Time
}

// Store is a goroutine-safe map with expiry. It implements store.Store and
// store.Deleter.
type Store struct {
	mu   sync.Mutex
	data map[string]entry
	Now  func() time.Time
}

// New returns an empty Store using the wall clock.
func New() *Store {
	return &Store{data: map[string]entry{}, Now: time.Now}
}

func (s *Store) live(e entry) bool {
	return e.expires.IsZero() || s.Now().Before(e.expires)
}

// Get implements store.Getter.
func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.data[key]
	if !ok || !s.live(e) {
		return nil, store.ErrNotFound
	}
	return append([]byte(nil), e.value...), nil
}

// Put implements store.Setter.
func (s *Store) Put(_ context.Context, key string, value []byte, opts store.PutOptions) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := entry{value: append([]byte(nil), value...)}
	switch {
	case opts.TTL > 0:
		e.expires = s.Now().Add(opts.TTL)
	case !opts.ExpiresAt.IsZero():
		e.expires = opts.ExpiresAt
	}
	s.data[key] = e
	return nil
}

// Delete implements store.Deleter.
func (s *Store) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.data, key)
	return nil
}

// List implements store.Lister. The cursor is the last key of the previous page.
func (s *Store) List(_ context.Context, prefix, cursor string, limit int) (store.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if limit <= 0 {
		limit = 1000
	}
	var keys []string
	for k, e := range s.data {
		if strings.HasPrefix(k, prefix) && k > cursor && s.live(e) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	if len(keys) <= limit {
		return store.Page{Keys: keys, Complete: true}, nil
	}
	keys = keys[:limit]
	return store.Page{Keys: keys, Cursor: keys[len(keys)-1]}, nil
}

// Keys returns every live key, sorted; for assertions in tests.
func (s *Store) Keys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for k, e := range s.data {
		if s.live(e) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
