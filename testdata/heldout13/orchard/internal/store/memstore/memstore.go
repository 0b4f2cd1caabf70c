// Package memstore is an in-memory store.Store for tests and local runs.
package memstore

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/orchard/internal/store"
)

type entry struct {
	value   string
	expires time.Time
}

// Store is safe for concurrent use. Expired entries behave as missing.
type Store struct {
	mu   sync.Mutex
	data map[string]entry
	now  func() time.Time

	// Writes counts Put calls, for tests that assert on write volume.
	Writes int
}

// New returns an empty store on the wall clock.
func New() *Store { return NewAt(time.Now) }

// NewAt returns an empty store on the given clock.
func NewAt(now func() time.Time) *Store {
	return &Store{data: map[string]entry{}, now: now}
}

func (s *Store) live(k string) (entry, bool) {
	e, ok := s.data[k]
	if !ok {
		return e, false
	}
	if !e.expires.IsZero() && !s.now().Before(e.expires) {
		delete(s.data, k)
		return e, false
	}
	return e, true
}

func (s *Store) Get(_ context.Context, key string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.live(key)
	if !ok {
		return "", &store.NotFoundError{Key: key}
	}
	return e.value, nil
}

func (s *Store) Put(_ context.Context, key, value string, opts ...store.Option) error {
	o := store.Collect(opts)
	e := entry{value: value}
	switch {
	case o.TTL > 0:
		e.expires = s.now().Add(o.TTL)
	case !o.ExpireAt.IsZero():
		e.expires = o.ExpireAt
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.data[key] = e
	s.Writes++
	return nil
}

func (s *Store) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.data, key)
	return nil
}

// List pages with a cursor that is the offset into the sorted key set.
func (s *Store) List(_ context.Context, q store.ListQuery) (store.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for k := range s.data {
		if _, ok := s.live(k); ok && strings.HasPrefix(k, q.Prefix) {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	start := 0
	if q.Cursor != "" {
		n, err := strconv.Atoi(q.Cursor)
		if err != nil {
			return store.Page{}, &store.OpError{Op: "list", Err: err}
		}
		start = min(n, len(names))
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 1000
	}
	end := min(start+limit, len(names))
	page := store.Page{Complete: end == len(names)}
	for _, k := range names[start:end] {
		page.Keys = append(page.Keys, store.Key{Name: k, Expiration: s.data[k].expires})
	}
	if !page.Complete {
		page.Cursor = strconv.Itoa(end)
	}
	return page, nil
}
