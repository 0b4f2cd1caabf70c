// Package memstore is an in-memory store.KV for tests and local tools.
package memstore

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"example.com/community/internal/store"
)

type entry struct {
	value    []byte
	expireAt time.Time
}

// Store is a map-backed store.KV. Puts records the options of the last write
// per key so tests can assert on expirations.
type Store struct {
	mu   sync.Mutex
	data map[string]entry
	Puts map[string]store.PutOptions
}

func New() *Store {
	return &Store{data: map[string]entry{}, Puts: map[string]store.PutOptions{}}
}

func (s *Store) live(k string) (entry, bool) {
	e, ok := s.data[k]
	return e, ok && (e.expireAt.IsZero() || time.Now().Before(e.expireAt))
}

func (s *Store) Get(_ context.Context, key string, _ ...store.GetOption) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.live(key); ok {
		return slices.Clone(e.value), nil
	}
	return nil, store.ErrNotFound
}

func (s *Store) Put(_ context.Context, key string, value []byte, opts ...store.PutOption) error {
	o := store.Apply(opts)
	e := entry{value: slices.Clone(value), expireAt: o.ExpireAt}
	if o.TTL > 0 {
		e.expireAt = time.Now().Add(o.TTL)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.data[key], s.Puts[key] = e, o
	return nil
}

func (s *Store) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.data, key)
	return nil
}

// List returns keys in lexicographic order; the cursor is the last key of
// the previous page.
func (s *Store) List(_ context.Context, opts store.ListOptions) (store.ListPage, error) {
	limit := opts.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	s.mu.Lock()
	var names []string
	for k := range s.data {
		if _, ok := s.live(k); ok && strings.HasPrefix(k, opts.Prefix) && k > opts.Cursor {
			names = append(names, k)
		}
	}
	s.mu.Unlock()
	slices.Sort(names)
	if len(names) <= limit {
		return store.ListPage{Keys: names, Complete: true}, nil
	}
	return store.ListPage{Keys: names[:limit], Cursor: names[limit-1]}, nil
}

// Len reports the number of live keys.
func (s *Store) Len() int {
	p, _ := s.List(context.Background(), store.ListOptions{})
	return len(p.Keys)
}
