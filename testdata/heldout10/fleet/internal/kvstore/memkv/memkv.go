// Package memkv is an in-memory kvstore.Store for tests and local runs.
package memkv

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/fleet/internal/kvstore"
)

type item struct {
	value   []byte
	expires time.Time
	meta    map[string]any
}

// Store is safe for concurrent use.
type Store struct {
	mu    sync.Mutex
	items map[string]item
	now   func() time.Time

	// Writes records every Put in order, for assertions.
	Writes []string
}

func New() *Store {
	return &Store{items: map[string]item{}, now: time.Now}
}

func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.items[key]
	if !ok || (!it.expires.IsZero() && s.now().After(it.expires)) {
		return nil, fmt.Errorf("%w: %s", kvstore.ErrNotFound, key)
	}
	return append([]byte(nil), it.value...), nil
}

func (s *Store) Put(_ context.Context, key string, value []byte, opts ...kvstore.PutOption) error {
	o := kvstore.Collect(opts...)
	s.mu.Lock()
	defer s.mu.Unlock()
	it := item{value: append([]byte(nil), value...), meta: o.Metadata}
	if o.TTL > 0 {
		it.expires = s.now().Add(o.TTL)
	}
	s.items[key] = it
	s.Writes = append(s.Writes, key)
	return nil
}

func (s *Store) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.items, key)
	return nil
}

// List pages through keys in order; the cursor is the offset as a string.
func (s *Store) List(_ context.Context, prefix, cursor string, limit int) (kvstore.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for k := range s.items {
		if strings.HasPrefix(k, prefix) {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	start := 0
	if cursor != "" {
		n, err := strconv.Atoi(cursor)
		if err != nil {
			return kvstore.Page{}, fmt.Errorf("memkv: bad cursor %q", cursor)
		}
		start = n
	}
	if limit <= 0 {
		limit = 1000
	}
	end := min(start+limit, len(names))
	var p kvstore.Page
	for _, k := range names[start:end] {
		it := s.items[k]
		p.Entries = append(p.Entries, kvstore.Entry{Name: k, Metadata: it.meta})
	}
	if end < len(names) {
		p.Cursor = strconv.Itoa(end)
	}
	return p, nil
}

// Has reports whether key is present.
func (s *Store) Has(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.items[key]
	return ok
}
