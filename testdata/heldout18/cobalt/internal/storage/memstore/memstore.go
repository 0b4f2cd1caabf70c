// Package memstore is an in-memory storage.Store for tests and local runs.
package memstore

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/cobalt/internal/storage"
)

func init() {
	storage.Register("memory", func(context.Context, storage.DriverConfig) (storage.Store, error) {
		return New(), nil
	})
}

type item struct {
	value    []byte
	expires  time.Time
	metadata map[string]any
}

// Store keeps values in a map guarded by a mutex.
type Store struct {
	mu    sync.Mutex
	items map[string]item
	now   func() time.Time
}

// New returns an empty store.
func New() *Store {
	return &Store{items: map[string]item{}, now: time.Now}
}

func (s *Store) live(key string) (item, bool) {
	it, ok := s.items[key]
	if ok && !it.expires.IsZero() && !s.now().Before(it.expires) {
		delete(s.items, key)
		return item{}, false
	}
	return it, ok
}

// Get implements storage.Getter.
func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.live(key)
	if !ok {
		return nil, storage.ErrNotFound
	}
	return append([]byte(nil), it.value...), nil
}

// Put implements storage.Putter.
func (s *Store) Put(_ context.Context, key string, value []byte, opts storage.PutOptions) error {
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

// Delete implements storage.Deleter.
func (s *Store) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.items, key)
	return nil
}

// List implements storage.Lister with numeric cursors.
func (s *Store) List(_ context.Context, opts storage.ListOptions) (storage.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var keys []string
	for k := range s.items {
		if _, ok := s.live(k); ok && strings.HasPrefix(k, opts.Prefix) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	start, _ := strconv.Atoi(opts.Cursor)
	limit := opts.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	end := min(start+limit, len(keys))
	var page storage.Page
	for _, k := range keys[min(start, len(keys)):end] {
		it := s.items[k]
		page.Entries = append(page.Entries, storage.Entry{Key: k, ExpiresAt: it.expires, Metadata: it.metadata})
	}
	if end < len(keys) {
		page.Cursor = strconv.Itoa(end)
	} else {
		page.Complete = true
	}
	return page, nil
}
