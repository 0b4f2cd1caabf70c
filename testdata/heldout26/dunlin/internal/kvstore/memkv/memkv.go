// Package memkv is an in-process kvstore.Store used for local runs and as
// the backing of service tests. It honours TTLs and lexicographic listing.
package memkv

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"example.com/dunlin/internal/kvstore"
)

const defaultPage = 1000

type item struct {
	value    []byte
	expires  time.Time
	metadata map[string]any
}

// Store is safe for concurrent use.
type Store struct {
	mu    sync.RWMutex
	items map[string]item
}

var _ kvstore.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	return &Store{items: make(map[string]item)}
}

func (s *Store) live(it item) bool {
	return it.expires.IsZero() || time.Now().Before(it.expires)
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

func (s *Store) Put(_ context.Context, key string, value []byte, opts ...kvstore.Option) error {
	o := kvstore.Resolve(nil, opts...)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.items[key] = s.newItem(value, o.TTL, o.ExpiresAt, o.Metadata)
	return nil
}

func (s *Store) newItem(value []byte, ttl time.Duration, at time.Time, md map[string]any) item {
	it := item{value: slices.Clone(value)}
	if md != nil { // metadata round-trips through JSON, as it does in KV
		raw, _ := json.Marshal(md)
		_ = json.Unmarshal(raw, &it.metadata)
	}
	switch {
	case ttl > 0:
		it.expires = time.Now().Add(ttl)
	case !at.IsZero():
		it.expires = at
	}
	return it
}

func (s *Store) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.items, key)
	return nil
}

func (s *Store) List(_ context.Context, prefix string, opts ...kvstore.Option) (kvstore.Page, error) {
	o := kvstore.Resolve(nil, opts...)
	limit := o.Limit
	if limit <= 0 || limit > defaultPage {
		limit = defaultPage
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var page kvstore.Page
	for _, k := range slices.Sorted(maps.Keys(s.items)) {
		if !strings.HasPrefix(k, prefix) || k <= o.Cursor || !s.live(s.items[k]) {
			continue
		}
		if len(page.Keys) == limit {
			page.Cursor = page.Keys[len(page.Keys)-1].Name
			return page, nil
		}
		it := s.items[k]
		page.Keys = append(page.Keys, kvstore.KeyInfo{Name: k, Expiration: it.expires, Metadata: maps.Clone(it.metadata)})
	}
	page.Complete = true
	return page, nil
}

func (s *Store) PutBatch(_ context.Context, entries []kvstore.Entry, opts ...kvstore.Option) error {
	o := kvstore.Resolve(nil, opts...)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range entries {
		ttl, md := e.TTL, e.Metadata
		if ttl == 0 {
			ttl = o.TTL
		}
		if md == nil {
			md = o.Metadata
		}
		s.items[e.Key] = s.newItem(e.Value, ttl, o.ExpiresAt, md)
	}
	return nil
}
