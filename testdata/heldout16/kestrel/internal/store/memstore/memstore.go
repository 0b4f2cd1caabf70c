// Package memstore is an in-memory store.Store for tests and local runs.
package memstore

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/kestrel/internal/store"
)

type entry struct {
	value   string
	expires time.Time
}

// Store keeps values in a map. It is safe for concurrent use.
type Store struct {
	mu       sync.Mutex
	data     map[string]entry
	now      func() time.Time
	pageSize int
}

// New returns an empty store with a page size of 1000.
func New() *Store {
	return &Store{data: map[string]entry{}, now: time.Now, pageSize: 1000}
}

func (s *Store) Get(_ context.Context, key string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.data[key]
	if !ok || s.expired(e) {
		return "", store.ErrNotFound
	}
	return e.value, nil
}

func (s *Store) Put(_ context.Context, key, value string, ttl time.Duration) error {
	if key == "" {
		return errors.New("memstore: empty key")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e := entry{value: value}
	if ttl > 0 {
		e.expires = s.now().Add(ttl)
	}
	s.data[key] = e
	return nil
}

func (s *Store) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	delete(s.data, key)
	s.mu.Unlock()
	return nil
}

func (s *Store) List(_ context.Context, q store.ListQuery) (store.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var keys []string
	for k, e := range s.data {
		if strings.HasPrefix(k, q.Prefix) && !s.expired(e) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	start := 0
	if q.Cursor != "" {
		n, err := strconv.Atoi(q.Cursor)
		if err != nil {
			return store.Page{}, errors.New("memstore: bad cursor")
		}
		start = min(n, len(keys))
	}
	limit := q.Limit
	if limit <= 0 {
		limit = s.pageSize
	}
	end := min(start+limit, len(keys))
	page := store.Page{Keys: keys[start:end], Complete: end == len(keys)}
	if !page.Complete {
		page.Cursor = strconv.Itoa(end)
	}
	return page, nil
}

func (s *Store) expired(e entry) bool {
	return !e.expires.IsZero() && !s.now().Before(e.expires)
}
