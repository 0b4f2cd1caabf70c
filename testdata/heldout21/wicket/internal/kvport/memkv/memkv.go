// Package memkv is an in-memory kvport.Store for tests and local runs.
package memkv

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/wicket/internal/kvport"
)

type entry struct {
	value   string
	expires time.Time
}

// Store is safe for concurrent use. Unlike KV it is strongly consistent.
type Store struct {
	mu   sync.Mutex
	data map[string]entry
	now  func() time.Time
}

// New returns an empty store using the wall clock.
func New() *Store {
	return &Store{data: map[string]entry{}, now: time.Now}
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

func (s *Store) Get(_ context.Context, key string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.live(key)
	if !ok {
		return "", kvport.ErrNotFound
	}
	return e.value, nil
}

func (s *Store) Put(_ context.Context, key, value string, opts ...kvport.PutOption) error {
	set := kvport.Resolve(opts...)
	s.mu.Lock()
	defer s.mu.Unlock()
	e := entry{value: value}
	switch {
	case set.TTLSeconds > 0:
		e.expires = s.now().Add(time.Duration(set.TTLSeconds) * time.Second)
	case set.ExpiresAt > 0:
		e.expires = time.Unix(set.ExpiresAt, 0)
	}
	s.data[key] = e
	return nil
}

func (s *Store) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.data, key)
	return nil
}

func (s *Store) List(_ context.Context, q kvport.Query) (kvport.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	limit := q.LimitValue()
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	start := 0
	if c := q.CursorValue(); c != "" {
		n, err := strconv.Atoi(c)
		if err != nil {
			return kvport.Page{}, err
		}
		start = n
	}
	var names []string
	for _, k := range slices.Sorted(maps.Keys(s.data)) {
		if _, ok := s.live(k); ok && strings.HasPrefix(k, q.PrefixValue()) {
			names = append(names, k)
		}
	}
	if start > len(names) {
		start = len(names)
	}
	end := min(start+limit, len(names))
	page := kvport.Page{Complete: end == len(names)}
	for _, n := range names[start:end] {
		page.Keys = append(page.Keys, kvport.KeyInfo{Name: n, Expiration: s.data[n].expires.Unix()})
	}
	if !page.Complete {
		page.Cursor = strconv.Itoa(end)
	}
	return page, nil
}
