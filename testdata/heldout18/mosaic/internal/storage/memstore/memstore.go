// Package memstore is an in-memory storage driver used by tests and by
// local development.
package memstore

import (
	"context"
	"sort"
	"strings"
	"sync"
	"time"

	"example.com/mosaic/internal/storage"
)

func init() {
	storage.Register("memory", func(map[string]string) (storage.Store, error) { return New(), nil })
}

type entry struct {
	value    []byte
	expireAt time.Time
}

func (e entry) live() bool { return e.expireAt.IsZero() || time.Now().Before(e.expireAt) }

// Store is a map guarded by a mutex. It honours TTLs lazily on read.
type Store struct {
	mu   sync.Mutex
	data map[string]entry
}

// New returns an empty store.
func New() *Store { return &Store{data: map[string]entry{}} }

// Get returns a copy of the stored value.
func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.data[key]
	if !ok || !e.live() {
		return nil, storage.ErrNotFound
	}
	return append([]byte(nil), e.value...), nil
}

// Put stores a copy of value.
func (s *Store) Put(_ context.Context, key string, value []byte, opts storage.PutOptions) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := entry{value: append([]byte(nil), value...), expireAt: opts.ExpireAt}
	if opts.TTL > 0 {
		e.expireAt = time.Now().Add(opts.TTL)
	}
	s.data[key] = e
	return nil
}

// Delete removes key; deleting a missing key is not an error.
func (s *Store) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.data, key)
	return nil
}

// List returns keys in lexicographic order; the cursor is the last key of
// the previous page.
func (s *Store) List(_ context.Context, prefix, cursor string, limit int) (storage.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	var names []string
	for k, e := range s.data {
		if strings.HasPrefix(k, prefix) && k > cursor && e.live() {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	page := storage.Page{Done: len(names) <= limit}
	if !page.Done {
		names = names[:limit]
		page.Cursor = names[limit-1]
	}
	for _, n := range names {
		page.Keys = append(page.Keys, storage.Key{Name: n, Expiration: s.data[n].expireAt})
	}
	return page, nil
}
