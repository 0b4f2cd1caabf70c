// Package memkv is an in-memory kvstore.Store for local development and tests.
package memkv

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"example.com/kiln/internal/kvstore"
)

type item struct {
	value   []byte
	expires time.Time
	meta    map[string]any
}

// Store keeps keys in a map. It supports TTLs but not metadata or bulk
// operations, so callers exercise their fallback paths against it.
type Store struct {
	mu    sync.RWMutex
	items map[string]item
	now   func() time.Time
}

// New returns an empty store.
func New() *Store {
	return &Store{items: make(map[string]item), now: time.Now}
}

func (s *Store) live(it item) bool {
	return it.expires.IsZero() || s.now().Before(it.expires)
}

func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	it, ok := s.items[key]
	if !ok || !s.live(it) {
		return nil, kvstore.ErrNotFound
	}
	return slices.Clone(it.value), nil
}

func (s *Store) Put(_ context.Context, key string, value []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.items[key] = item{value: slices.Clone(value)}
	return nil
}

func (s *Store) PutTTL(_ context.Context, key string, value []byte, ttl time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.items[key] = item{value: slices.Clone(value), expires: s.now().Add(ttl)}
	return nil
}

func (s *Store) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.items, key)
	return nil
}

func (s *Store) List(_ context.Context, req kvstore.ListRequest) (kvstore.Page, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	names := make([]string, 0, len(s.items))
	for k, it := range s.items {
		if strings.HasPrefix(k, req.Prefix) && k > req.Cursor && s.live(it) {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	limit := req.Limit
	if limit <= 0 || limit > kvstore.MaxListLimit {
		limit = kvstore.MaxListLimit
	}
	page := kvstore.Page{Complete: true}
	if len(names) > limit {
		names = names[:limit]
		page.Complete = false
		page.Cursor = names[len(names)-1]
	}
	for _, n := range names {
		it := s.items[n]
		page.Keys = append(page.Keys, kvstore.KeyInfo{Name: n, Expiration: it.expires, Metadata: it.meta})
	}
	return page, nil
}
