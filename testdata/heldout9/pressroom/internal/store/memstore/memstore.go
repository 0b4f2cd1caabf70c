// Package memstore is an in-memory implementation of store.Store for tests
// and local development.
package memstore

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/pressroom/internal/store"
)

type entry struct {
	value   string
	expires time.Time
}

// Store is safe for concurrent use.
type Store struct {
	mu   sync.Mutex
	data map[string]entry
	now  func() time.Time
}

// New returns an empty store.
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

// Get implements store.Reader.
func (s *Store) Get(_ context.Context, key string) (string, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.live(key)
	return e.value, ok, nil
}

// Put implements store.Writer.
func (s *Store) Put(_ context.Context, key, value string, opts ...store.PutOption) error {
	o := store.Resolve(opts...)
	s.mu.Lock()
	defer s.mu.Unlock()
	e := entry{value: value}
	switch {
	case o.TTL > 0:
		e.expires = s.now().Add(o.TTL)
	case !o.ExpireAt.IsZero():
		e.expires = o.ExpireAt
	}
	s.data[key] = e
	return nil
}

// Delete implements store.Writer.
func (s *Store) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.data, key)
	return nil
}

// List implements store.Lister. The cursor is the offset into the sorted keys.
func (s *Store) List(_ context.Context, prefix, cursor string, limit int) (store.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	var all []string
	for k := range s.data {
		if _, ok := s.live(k); ok && strings.HasPrefix(k, prefix) {
			all = append(all, k)
		}
	}
	sort.Strings(all)
	start := 0
	if cursor != "" {
		start, _ = strconv.Atoi(cursor)
	}
	if start > len(all) {
		start = len(all)
	}
	end := min(start+limit, len(all))
	page := store.Page{Keys: all[start:end], Complete: end == len(all)}
	if !page.Complete {
		page.Cursor = strconv.Itoa(end)
	}
	return page, nil
}

var _ store.Store = (*Store)(nil)
