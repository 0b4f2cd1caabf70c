// Package memstore is an in-memory storage.Store for local runs and tests.
package memstore

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/pylon/internal/storage"
)

type item struct {
	value    []byte
	expires  time.Time
	metadata map[string]any
}

// Store is safe for concurrent use.
type Store struct {
	mu    sync.RWMutex
	items map[string]item
	now   func() time.Time
}

// New returns an empty store.
func New() *Store {
	return &Store{items: make(map[string]item), now: time.Now}
}

var _ storage.Store = (*Store)(nil)

func (s *Store) live(it item) bool {
	return it.expires.IsZero() || s.now().Before(it.expires)
}

func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	it, ok := s.items[key]
	if !ok || !s.live(it) {
		return nil, storage.ErrNotFound
	}
	return append([]byte(nil), it.value...), nil
}

func (s *Store) Put(_ context.Context, key string, value []byte, opts storage.PutOptions) error {
	it := item{value: append([]byte(nil), value...), metadata: opts.Metadata}
	switch {
	case opts.TTL > 0:
		it.expires = s.now().Add(opts.TTL)
	case !opts.ExpireAt.IsZero():
		it.expires = opts.ExpireAt
	}
	s.mu.Lock()
	s.items[key] = it
	s.mu.Unlock()
	return nil
}

func (s *Store) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	delete(s.items, key)
	s.mu.Unlock()
	return nil
}

// List pages by offset into the sorted key set.
func (s *Store) List(_ context.Context, opts storage.ListOptions) (storage.Page, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var names []string
	for k, it := range s.items {
		if strings.HasPrefix(k, opts.Prefix) && s.live(it) {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	offset, _ := strconv.Atoi(opts.Cursor)
	limit := opts.Limit
	if limit <= 0 || limit > storage.MaxPageSize {
		limit = storage.MaxPageSize
	}
	page := storage.Page{Complete: true}
	if offset > len(names) {
		offset = len(names)
	}
	end := min(offset+limit, len(names))
	for _, n := range names[offset:end] {
		it := s.items[n]
		page.Keys = append(page.Keys, storage.KeyInfo{Name: n, Expiration: it.expires, Metadata: it.metadata})
	}
	if end < len(names) {
		page.Complete = false
		page.Cursor = strconv.Itoa(end)
	}
	return page, nil
}

func (s *Store) GetMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	out := make(map[string][]byte, len(keys))
	for _, k := range keys {
		v, err := s.Get(ctx, k)
		if err == nil {
			out[k] = v
		}
	}
	return out, nil
}

func (s *Store) PutMany(ctx context.Context, entries []storage.Entry) error {
	for _, e := range entries {
		if err := s.Put(ctx, e.Key, e.Value, e.Options); err != nil {
			return err
		}
	}
	return nil
}
