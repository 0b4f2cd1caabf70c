// Package memstore is an in-memory store.Store used by tests and local runs.
package memstore

import (
	"context"
	"sort"
	"strings"
	"sync"
	"time"

	"example.com/shortlinks/internal/store"
)

type entry struct {
	value    string
	expireAt time.Time
}

// Store is safe for concurrent use.
type Store struct {
	mu   sync.Mutex
	data map[string]entry
	now  func() time.Time

	// Writes records every Put key in order; tests assert on it.
	Writes []string
}

func New() *Store {
	return &Store{data: map[string]entry{}, now: time.Now}
}

func (s *Store) Get(_ context.Context, key string) (string, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.data[key]
	if !ok || (!e.expireAt.IsZero() && s.now().After(e.expireAt)) {
		return "", false, nil
	}
	return e.value, true, nil
}

func (s *Store) Put(_ context.Context, key, value string, opts ...store.PutOption) error {
	o := store.Resolve(opts)
	e := entry{value: value}
	switch {
	case o.TTL > 0:
		e.expireAt = s.now().Add(o.TTL)
	case !o.ExpireAt.IsZero():
		e.expireAt = o.ExpireAt
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.data[key] = e
	s.Writes = append(s.Writes, key)
	return nil
}

func (s *Store) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.data, key)
	return nil
}

func (s *Store) List(_ context.Context, p store.ListParams) (store.Page, error) {
	s.mu.Lock()
	var names []string
	for k := range s.data {
		if strings.HasPrefix(k, p.Prefix) && k > p.Cursor {
			names = append(names, k)
		}
	}
	s.mu.Unlock()
	sort.Strings(names)
	limit := p.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	if len(names) <= limit {
		return store.Page{Keys: names, Complete: true}, nil
	}
	names = names[:limit]
	return store.Page{Keys: names, Cursor: names[len(names)-1]}, nil
}
