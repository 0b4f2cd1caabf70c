// Package memstore is an in-memory store.Store for tests and local runs.
package memstore

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/gateway/internal/store"
)

type item struct {
	value    []byte
	expires  time.Time
	metadata map[string]any
}

// Store keeps everything in a map. The zero value is not usable; call New.
type Store struct {
	mu    sync.Mutex
	items map[string]item
	now   func() time.Time

	Puts, Deletes int
}

var _ store.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store { return &Store{items: map[string]item{}, now: time.Now} }

func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.items[key]
	if !ok || (!it.expires.IsZero() && s.now().After(it.expires)) {
		return nil, fmt.Errorf("%s: %w", key, store.ErrNotFound)
	}
	return append([]byte(nil), it.value...), nil
}

func (s *Store) Put(_ context.Context, key string, value []byte, opts ...store.PutOption) error {
	o := store.Apply(opts)
	it := item{value: append([]byte(nil), value...), metadata: o.Metadata}
	switch {
	case o.TTL > 0:
		it.expires = s.now().Add(o.TTL)
	case !o.ExpireAt.IsZero():
		it.expires = o.ExpireAt
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.items[key] = it
	s.Puts++
	return nil
}

func (s *Store) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.items, key)
	s.Deletes++
	return nil
}

// List pages through keys in order; the cursor is the offset.
func (s *Store) List(_ context.Context, q store.Query) (store.Page, error) {
	s.mu.Lock()
	names := make([]string, 0, len(s.items))
	for k := range s.items {
		if strings.HasPrefix(k, q.Prefix) {
			names = append(names, k)
		}
	}
	s.mu.Unlock()
	sort.Strings(names)
	start := 0
	if q.Cursor != "" {
		n, err := strconv.Atoi(q.Cursor)
		if err != nil {
			return store.Page{}, fmt.Errorf("memstore: bad cursor %q", q.Cursor)
		}
		start = n
	}
	limit := q.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	end := min(start+limit, len(names))
	var page store.Page
	s.mu.Lock()
	for _, n := range names[start:end] {
		page.Keys = append(page.Keys, store.Entry{Name: n, Metadata: s.items[n].metadata})
	}
	s.mu.Unlock()
	if end < len(names) {
		page.Cursor = strconv.Itoa(end)
	} else {
		page.Complete = true
	}
	return page, nil
}
