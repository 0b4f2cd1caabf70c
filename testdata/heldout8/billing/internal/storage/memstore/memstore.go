// Package memstore is an in-memory storage.Store for tests and local runs.
package memstore

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/billing/internal/storage"
)

type entry struct {
	value    []byte
	expireAt time.Time
	meta     map[string]any
}

// Store is safe for concurrent use.
type Store struct {
	mu   sync.Mutex
	data map[string]entry
	now  func() time.Time

	// Writes records every Put key in order, for assertions.
	Writes []string
}

var _ storage.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	return &Store{data: map[string]entry{}, now: time.Now}
}

// SetClock replaces the clock used for expiry.
func (s *Store) SetClock(now func() time.Time) { s.now = now }

func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.data[key]
	if !ok || s.expired(e) {
		return nil, storage.ErrNotFound
	}
	return slices.Clone(e.value), nil
}

func (s *Store) Put(_ context.Context, key string, value []byte, opts ...storage.PutOption) error {
	o := storage.Resolve(opts)
	e := entry{value: slices.Clone(value), meta: maps.Clone(o.Metadata)}
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

func (s *Store) List(_ context.Context, opts storage.ListOptions) (storage.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for k, e := range s.data {
		if strings.HasPrefix(k, opts.Prefix) && !s.expired(e) {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	start := 0
	if opts.Cursor != "" {
		start, _ = strconv.Atoi(opts.Cursor)
	}
	limit := opts.Limit
	if limit <= 0 {
		limit = 1000
	}
	end := min(start+limit, len(names))
	var page storage.Page
	for _, n := range names[min(start, end):end] {
		e := s.data[n]
		page.Keys = append(page.Keys, storage.KeyInfo{Name: n, Expiration: e.expireAt, Metadata: maps.Clone(e.meta)})
	}
	if end < len(names) {
		page.Cursor = strconv.Itoa(end)
	}
	return page, nil
}

func (s *Store) expired(e entry) bool {
	return !e.expireAt.IsZero() && !s.now().Before(e.expireAt)
}
