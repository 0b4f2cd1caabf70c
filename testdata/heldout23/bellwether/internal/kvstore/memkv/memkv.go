// Package memkv is an in-process kvstore used for local development and as
// the fake behind handler tests. It honours TTLs and lists in key order.
package memkv

import (
	"context"
	"iter"
	"slices"
	"strings"
	"sync"
	"time"

	"example.com/bellwether/internal/kvstore"
)

type item struct {
	value    []byte
	expireAt time.Time
	meta     map[string]any
}

// Store is a mutex-guarded map.
type Store struct {
	mu    sync.RWMutex
	items map[string]item
	now   func() time.Time
}

// New returns an empty Store.
func New() *Store {
	return &Store{items: make(map[string]item), now: time.Now}
}

var (
	_ kvstore.Store  = (*Store)(nil)
	_ kvstore.Lister = (*Store)(nil)
	_ kvstore.Pager  = (*Store)(nil)
)

func (s *Store) live(it item) bool {
	return it.expireAt.IsZero() || s.now().Before(it.expireAt)
}

// Get returns a copy of the value.
func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	it, ok := s.items[key]
	if !ok || !s.live(it) {
		return nil, kvstore.ErrNotFound
	}
	return slices.Clone(it.value), nil
}

// Put stores a copy of value.
func (s *Store) Put(_ context.Context, key string, value []byte, opts ...kvstore.PutOption) error {
	o := kvstore.Apply(kvstore.PutOptions{}, opts...)
	it := item{value: slices.Clone(value), meta: o.Metadata}
	switch {
	case o.TTL > 0:
		it.expireAt = s.now().Add(o.TTL)
	case !o.ExpireAt.IsZero():
		it.expireAt = o.ExpireAt
	}
	s.mu.Lock()
	s.items[key] = it
	s.mu.Unlock()
	return nil
}

// Delete removes key.
func (s *Store) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	delete(s.items, key)
	s.mu.Unlock()
	return nil
}

func (s *Store) sortedKeys(prefix string) []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var names []string
	for k, it := range s.items {
		if strings.HasPrefix(k, prefix) && s.live(it) {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	return names
}

// Page returns keys after cursor, which is the last key of the previous page.
func (s *Store) Page(_ context.Context, prefix, cursor string, limit int) (kvstore.Page, error) {
	if limit <= 0 || limit > kvstore.MaxListPage {
		limit = kvstore.MaxListPage
	}
	names := s.sortedKeys(prefix)
	start := 0
	if cursor != "" {
		start, _ = slices.BinarySearch(names, cursor)
		if start < len(names) && names[start] == cursor {
			start++
		}
	}
	end := min(start+limit, len(names))
	page := kvstore.Page{Complete: end == len(names)}
	s.mu.RLock()
	for _, n := range names[start:end] {
		page.Keys = append(page.Keys, kvstore.KeyInfo{Name: n, Expiration: s.items[n].expireAt, Metadata: s.items[n].meta})
	}
	s.mu.RUnlock()
	if !page.Complete && end > start {
		page.Cursor = names[end-1]
	}
	return page, nil
}

// Keys yields every live key under prefix in order.
func (s *Store) Keys(ctx context.Context, prefix string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		for _, k := range s.sortedKeys(prefix) {
			if err := ctx.Err(); err != nil {
				yield("", err)
				return
			}
			if !yield(k, nil) {
				return
			}
		}
	}
}
