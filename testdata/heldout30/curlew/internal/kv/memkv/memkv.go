// Package memkv is an in-process kv.Store for scratch keys that never need
// to leave the instance, and for local development.
package memkv

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"time"

	"example.com/curlew/internal/kv"
)

type item struct {
	value    []byte
	expires  time.Time
	metadata json.RawMessage
}

// Store is a mutex-guarded map with expirations.
type Store struct {
	mu    sync.Mutex
	items map[string]item
}

// New returns an empty store.
func New() *Store {
	return &Store{items: make(map[string]item)}
}

var _ kv.Store = (*Store)(nil)

func (s *Store) live(it item) bool {
	return it.expires.IsZero() || time.Now().Before(it.expires)
}

func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.items[key]
	if !ok || !s.live(it) {
		return nil, kv.ErrNotFound
	}
	return slices.Clone(it.value), nil
}

// Put implements kv.Store. Short TTLs are honoured as given: this store has
// no floor.
func (s *Store) Put(_ context.Context, key string, value []byte, opts ...kv.PutOption) error {
	o := kv.Resolve(opts)
	it := item{value: slices.Clone(value)}
	if o.TTL > 0 {
		it.expires = time.Now().Add(o.TTL)
	}
	if o.Metadata != nil {
		raw, err := json.Marshal(o.Metadata)
		if err != nil {
			return err
		}
		it.metadata = raw
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

// List returns every live key under the prefix in one page; scratch key
// spaces are small.
func (s *Store) List(_ context.Context, p kv.ListParams) (kv.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	page := kv.Page{Complete: true}
	for k, it := range s.items {
		if strings.HasPrefix(k, p.Prefix) && s.live(it) {
			page.Keys = append(page.Keys, kv.KeyInfo{Name: k, Metadata: it.metadata})
		}
	}
	slices.SortFunc(page.Keys, func(a, b kv.KeyInfo) int { return strings.Compare(a.Name, b.Name) })
	return page, nil
}
