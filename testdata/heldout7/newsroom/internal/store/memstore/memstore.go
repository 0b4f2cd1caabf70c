// Package memstore is an in-memory store.Store used by tests and local runs.
package memstore

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/newsroom/internal/store"
)

type entry struct {
	value   []byte
	expires time.Time
}

// Store is a goroutine-safe map with expiry and cursor-based listing.
type Store struct {
	mu   sync.Mutex
	data map[string]entry
	now  func() time.Time

	// Puts records every written key in order, for assertions.
	Puts []string
}

// New returns an empty store.
func New() *Store {
	return &Store{data: map[string]entry{}, now: time.Now}
}

// SetClock overrides the clock used for expiry.
func (s *Store) SetClock(now func() time.Time) { s.now = now }

func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.data[key]
	if !ok || (!e.expires.IsZero() && s.now().After(e.expires)) {
		return nil, store.ErrNotFound
	}
	return append([]byte(nil), e.value...), nil
}

func (s *Store) Put(_ context.Context, key string, value []byte, opts ...store.PutOption) error {
	cfg := store.Apply(opts)
	s.mu.Lock()
	defer s.mu.Unlock()
	e := entry{value: append([]byte(nil), value...)}
	switch {
	case cfg.TTL > 0:
		e.expires = s.now().Add(cfg.TTL)
	case !cfg.ExpiresAt.IsZero():
		e.expires = cfg.ExpiresAt
	}
	s.data[key] = e
	s.Puts = append(s.Puts, key)
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
	defer s.mu.Unlock()
	var keys []string
	for k := range s.data {
		if strings.HasPrefix(k, p.Prefix) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	start := 0
	if p.Cursor != "" {
		n, err := strconv.Atoi(p.Cursor)
		if err != nil {
			return store.Page{}, err
		}
		start = n
	}
	limit := p.Limit
	if limit <= 0 {
		limit = 1000
	}
	end := min(start+limit, len(keys))
	if start > end {
		start = end
	}
	page := store.Page{Keys: keys[start:end], Complete: end == len(keys)}
	if !page.Complete {
		page.Cursor = strconv.Itoa(end)
	}
	return page, nil
}

// Len reports the number of live keys.
func (s *Store) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.data)
}
