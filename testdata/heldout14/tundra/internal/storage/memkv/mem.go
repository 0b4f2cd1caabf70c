// Package memkv is an in-memory implementation of the storage port, used in
// tests and by `tundra -dev`.
package memkv

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/tundra/internal/storage"
)

type item struct {
	value    []byte
	expires  time.Time
	metadata map[string]any
}

// Store is a map guarded by a mutex. The zero value is not usable; call New.
type Store struct {
	mu    sync.Mutex
	items map[string]item
	now   func() time.Time
}

// New returns an empty store.
func New() *Store { return &Store{items: make(map[string]item), now: time.Now} }

func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.items[key]
	if !ok || (!it.expires.IsZero() && !s.now().Before(it.expires)) {
		return nil, storage.ErrNotFound
	}
	return append([]byte(nil), it.value...), nil
}

func (s *Store) Put(_ context.Context, key string, value []byte, opts storage.WriteOpts) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	it := item{value: append([]byte(nil), value...), metadata: opts.Metadata}
	switch {
	case opts.TTL > 0:
		it.expires = s.now().Add(opts.TTL)
	case !opts.ExpireAt.IsZero():
		it.expires = opts.ExpireAt
	}
	s.items[key] = it
	return nil
}

func (s *Store) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.items, key)
	return nil
}

// List pages through keys in lexicographic order; the cursor is an offset.
func (s *Store) List(_ context.Context, q storage.ListQuery) (storage.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for k := range s.items {
		if strings.HasPrefix(k, q.Prefix) {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	off, _ := strconv.Atoi(q.Cursor)
	limit := q.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	end := min(off+limit, len(names))
	var page storage.Page
	for _, n := range names[min(off, end):end] {
		it := s.items[n]
		ki := storage.KeyInfo{Name: n, Metadata: it.metadata}
		if !it.expires.IsZero() {
			ki.Expiration = it.expires.Unix()
		}
		page.Keys = append(page.Keys, ki)
	}
	if end < len(names) {
		page.Cursor = strconv.Itoa(end)
	} else {
		page.Complete = true
	}
	return page, nil
}
