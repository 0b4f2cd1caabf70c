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

	"example.com/atlas/internal/storage"
)

type entry struct {
	value   []byte
	meta    map[string]any
	expires time.Time
}

// Store is safe for concurrent use.
type Store struct {
	mu   sync.Mutex
	data map[string]entry
	now  func() time.Time
}

func New() *Store {
	return &Store{data: make(map[string]entry), now: time.Now}
}

func (s *Store) live(e entry) bool {
	return e.expires.IsZero() || s.now().Before(e.expires)
}

func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.data[key]
	if !ok || !s.live(e) {
		return nil, storage.ErrNotFound
	}
	return slices.Clone(e.value), nil
}

func (s *Store) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return s.PutWithMetadata(ctx, key, value, nil, ttl)
}

func (s *Store) PutWithMetadata(_ context.Context, key string, value []byte, meta map[string]any, ttl time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := entry{value: slices.Clone(value), meta: maps.Clone(meta)}
	if ttl > 0 {
		e.expires = s.now().Add(ttl)
	}
	s.data[key] = e
	return nil
}

func (s *Store) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.data, key)
	return nil
}

// List pages through keys in byte order. The cursor is the offset of the
// next key, encoded as a decimal string.
func (s *Store) List(_ context.Context, prefix, cursor string, limit int) (storage.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for k, e := range s.data {
		if strings.HasPrefix(k, prefix) && s.live(e) {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	start := 0
	if cursor != "" {
		n, err := strconv.Atoi(cursor)
		if err != nil {
			return storage.Page{}, err
		}
		start = n
	}
	if limit <= 0 {
		limit = 1000
	}
	end := min(start+limit, len(names))
	var page storage.Page
	for _, k := range names[min(start, end):end] {
		e := s.data[k]
		ki := storage.KeyInfo{Name: k, Metadata: maps.Clone(e.meta)}
		if !e.expires.IsZero() {
			ki.Expiration = e.expires
		}
		page.Keys = append(page.Keys, ki)
	}
	if end < len(names) {
		page.Cursor = strconv.Itoa(end)
	}
	return page, nil
}
