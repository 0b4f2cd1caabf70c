// Package memkv is an in-process kvstore.BulkStore for local development.
package memkv

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/ember/internal/kvstore"
)

type item struct {
	value     []byte
	expiresAt time.Time
}

// Store keeps values in a map guarded by a mutex.
type Store struct {
	mu    sync.Mutex
	items map[string]item
}

// New returns an empty store.
func New() *Store { return &Store{items: map[string]item{}} }

func (s *Store) live(key string) (item, bool) {
	it, ok := s.items[key]
	if ok && !it.expiresAt.IsZero() && !time.Now().Before(it.expiresAt) {
		delete(s.items, key)
		return item{}, false
	}
	return it, ok
}

// Get implements kvstore.Store.
func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.live(key)
	if !ok {
		return nil, kvstore.ErrNotFound
	}
	return append([]byte(nil), it.value...), nil
}

// Put implements kvstore.Store.
func (s *Store) Put(_ context.Context, key string, value []byte, opts ...kvstore.PutOption) error {
	it := item{value: append([]byte(nil), value...)}
	if ttl, at := kvstore.Expiry(opts...); ttl > 0 {
		it.expiresAt = time.Now().Add(ttl)
	} else if at > 0 {
		it.expiresAt = time.Unix(at, 0)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.items[key] = it
	return nil
}

// Delete implements kvstore.Store.
func (s *Store) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.items, key)
	return nil
}

// List implements kvstore.Store; the cursor is an offset into the sorted keys.
func (s *Store) List(_ context.Context, q kvstore.ListQuery) (kvstore.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for k := range s.items {
		if _, ok := s.live(k); ok && strings.HasPrefix(k, q.Prefix) {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	offset, _ := strconv.Atoi(q.Cursor)
	limit := q.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	var page kvstore.Page
	end := min(offset+limit, len(names))
	for _, name := range names[min(offset, len(names)):end] {
		info := kvstore.KeyInfo{Name: name}
		if exp := s.items[name].expiresAt; !exp.IsZero() {
			info.Expiration = exp.Unix()
		}
		page.Keys = append(page.Keys, info)
	}
	if end < len(names) {
		page.Cursor = strconv.Itoa(end)
	}
	return page, nil
}

// BulkGet implements kvstore.BulkStore.
func (s *Store) BulkGet(ctx context.Context, keys []string) (map[string]string, error) {
	out := make(map[string]string, len(keys))
	for _, k := range keys {
		if v, err := s.Get(ctx, k); err == nil {
			out[k] = string(v)
		}
	}
	return out, nil
}

// BulkDelete implements kvstore.BulkStore.
func (s *Store) BulkDelete(ctx context.Context, keys []string) error {
	for _, k := range keys {
		_ = s.Delete(ctx, k)
	}
	return nil
}

var _ kvstore.BulkStore = (*Store)(nil)
