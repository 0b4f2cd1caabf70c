// Package memstore is an in-memory storage.Store for tests and local tools.
// Listing is lexicographic and cursors are opaque offsets, like the real thing.
package memstore

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/quarry/internal/storage"
)

type item struct {
	value   []byte
	expires time.Time
}

type Store struct {
	mu    sync.Mutex
	items map[string]item
	now   func() time.Time
}

func New() *Store { return &Store{items: map[string]item{}, now: time.Now} }

// SetClock replaces the clock used for expiry.
func (s *Store) SetClock(now func() time.Time) { s.now = now }

func (s *Store) live(k string) (item, bool) {
	it, ok := s.items[k]
	if ok && !it.expires.IsZero() && !s.now().Before(it.expires) {
		delete(s.items, k)
		return item{}, false
	}
	return it, ok
}

func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if it, ok := s.live(key); ok {
		return slices.Clone(it.value), ctx.Err()
	}
	return nil, &storage.NotFoundError{Key: key}
}

func (s *Store) Put(ctx context.Context, key string, value []byte, o storage.PutOptions) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	it := item{value: slices.Clone(value), expires: o.ExpireAt}
	if o.TTL > 0 {
		it.expires = s.now().Add(o.TTL)
	}
	s.items[key] = it
	return ctx.Err()
}

func (s *Store) Delete(ctx context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.items, key)
	return ctx.Err()
}

func (s *Store) List(ctx context.Context, prefix, cursor string, limit int) (storage.Page, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var keys []string
	for k := range s.items {
		if _, ok := s.live(k); ok && strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	start, _ := strconv.Atoi(cursor)
	start = min(start, len(keys))
	end := min(start+limit, len(keys))
	page := storage.Page{Keys: keys[start:end], Complete: end == len(keys)}
	if !page.Complete {
		page.Cursor = strconv.Itoa(end)
	}
	return page, ctx.Err()
}

// Len reports the number of live keys.
func (s *Store) Len() int {
	page, _ := s.List(context.Background(), "", "", 1000)
	return len(page.Keys)
}
