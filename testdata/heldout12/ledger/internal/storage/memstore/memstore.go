// Package memstore is an in-memory storage.Store for tests and local runs.
package memstore

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"example.com/ledger/internal/storage"
)

type entry struct {
	value   string
	expires time.Time
}

// Store is a goroutine-safe map with expiry and sorted listing.
type Store struct {
	mu   sync.Mutex
	data map[string]entry
	now  func() time.Time
}

var _ storage.Store = (*Store)(nil)

// New returns an empty store using the wall clock.
func New() *Store {
	return &Store{data: map[string]entry{}, now: time.Now}
}

func (s *Store) Get(_ context.Context, key string, _ ...storage.GetOption) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.data[key]
	if !ok || (!e.expires.IsZero() && !s.now().Before(e.expires)) {
		return "", storage.ErrNotFound
	}
	return e.value, nil
}

func (s *Store) Put(_ context.Context, key, value string, opts ...storage.PutOption) error {
	o := storage.ApplyPut(opts)
	e := entry{value: value}
	switch {
	case o.TTL > 0:
		e.expires = s.now().Add(o.TTL)
	case o.ExpireAtUnix > 0:
		e.expires = time.Unix(o.ExpireAtUnix, 0)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.data[key] = e
	return nil
}

func (s *Store) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.data, key)
	return nil
}

func (s *Store) List(_ context.Context, q storage.ListQuery) (storage.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	limit := q.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	keys := make([]string, 0, len(s.data))
	for k := range s.data {
		if strings.HasPrefix(k, q.Prefix) && k > q.Cursor {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	if len(keys) <= limit {
		return storage.Page{Keys: keys, Complete: true}, nil
	}
	keys = keys[:limit]
	return storage.Page{Keys: keys, Cursor: keys[len(keys)-1]}, nil
}
