// Package memkv is an in-memory kvstore.Store for tests.
package memkv

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/orchard/internal/kvstore"
)

type item struct {
	value    []byte
	expires  time.Time
	metadata map[string]string
}

type Store struct {
	mu    sync.Mutex
	items map[string]item
	Puts  int
}

var _ kvstore.Store = (*Store)(nil)

func New() *Store { return &Store{items: map[string]item{}} }

func (s *Store) live(key string) (item, bool) {
	it, ok := s.items[key]
	return it, ok && (it.expires.IsZero() || time.Now().Before(it.expires))
}

func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if it, ok := s.live(key); ok {
		return slices.Clone(it.value), nil
	}
	return nil, &kvstore.NotFoundError{Key: key}
}

func (s *Store) Put(_ context.Context, key string, value []byte, o kvstore.PutOptions) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	it := item{value: slices.Clone(value), metadata: o.Metadata}
	if o.TTL > 0 {
		it.expires = time.Now().Add(o.TTL)
	} else if o.ExpiresAt > 0 {
		it.expires = time.Unix(o.ExpiresAt, 0)
	}
	s.items[key] = it
	s.Puts++
	return nil
}

func (s *Store) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.items, key)
	return nil
}

// List pages in key order; the cursor is the offset of the next key.
func (s *Store) List(_ context.Context, q kvstore.ListQuery) (kvstore.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	limit := q.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	var names []string
	for k := range s.items {
		if _, ok := s.live(k); ok && strings.HasPrefix(k, q.Prefix) {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	start, _ := strconv.Atoi(q.Cursor)
	start = min(start, len(names))
	end := min(start+limit, len(names))
	page := kvstore.Page{Complete: end == len(names)}
	for _, n := range names[start:end] {
		page.Keys = append(page.Keys, kvstore.KeyInfo{Name: n, Metadata: s.items[n].metadata})
	}
	if !page.Complete {
		page.Cursor = strconv.Itoa(end)
	}
	return page, nil
}
