// Package memkv is an in-memory implementation of the storage port for tests
// and local runs. It keeps sorted listings, cursors, expirations and metadata.
package memkv

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/caravan/internal/platform/clock"
	"example.com/caravan/internal/storage"
)

type entry struct {
	value    []byte
	expires  time.Time
	metadata map[string]any
}

// Store is a concurrency-safe in-memory store.
type Store struct {
	mu    sync.RWMutex
	clock clock.Clock
	data  map[string]entry
}

// New returns an empty Store using c for expirations.
func New(c clock.Clock) *Store { return &Store{clock: c, data: map[string]entry{}} }

func (s *Store) live(e entry) bool { return e.expires.IsZero() || s.clock.Now().Before(e.expires) }

func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, ok := s.data[key]
	if !ok || !s.live(e) {
		return nil, storage.ErrNotFound
	}
	return slices.Clone(e.value), nil
}

func (s *Store) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return s.PutWithMetadata(ctx, key, value, ttl, nil)
}

// PutWithMetadata keeps meta only when it is a map.
func (s *Store) PutWithMetadata(_ context.Context, key string, value []byte, ttl time.Duration, meta any) error {
	e := entry{value: slices.Clone(value)}
	if ttl > 0 {
		e.expires = s.clock.Now().Add(ttl)
	}
	if m, ok := meta.(map[string]any); ok {
		e.metadata = maps.Clone(m)
	}
	s.mu.Lock()
	s.data[key] = e
	s.mu.Unlock()
	return nil
}

func (s *Store) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	delete(s.data, key)
	s.mu.Unlock()
	return nil
}

// List pages through live keys; the cursor is the offset of the next key.
func (s *Store) List(_ context.Context, prefix, cursor string, limit int) (storage.Page, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	var names []string
	for k, e := range s.data {
		if strings.HasPrefix(k, prefix) && s.live(e) {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	start, _ := strconv.Atoi(cursor)
	start = min(start, len(names))
	end := min(start+limit, len(names))
	var page storage.Page
	for _, k := range names[start:end] {
		e := s.data[k]
		page.Keys = append(page.Keys, storage.KeyInfo{Name: k, Expiration: e.expires, Metadata: e.metadata})
	}
	if page.Complete = end == len(names); !page.Complete {
		page.Cursor = strconv.Itoa(end)
	}
	return page, nil
}
