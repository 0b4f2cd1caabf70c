// Package memkv is an in-memory implementation of the storage ports for
// tests.
package memkv

import (
	"context"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"example.com/commerce/internal/core/ports"
)

type item struct {
	value   []byte
	expires time.Time
	meta    map[string]any
}

type Store struct {
	mu    sync.Mutex
	items map[string]item
	Now   func() time.Time
}

func New() *Store { return &Store{items: map[string]item{}, Now: time.Now} }

func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.items[key]
	if !ok || (!it.expires.IsZero() && !s.Now().Before(it.expires)) {
		return nil, ports.ErrNotFound
	}
	return slices.Clone(it.value), nil
}

func (s *Store) Put(_ context.Context, key string, value []byte, opts ...ports.PutOption) error {
	o := ports.Resolve(opts)
	it := item{value: slices.Clone(value), meta: o.Metadata, expires: o.ExpireAt}
	if o.TTL > 0 {
		it.expires = s.Now().Add(o.TTL)
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

func (s *Store) List(_ context.Context, req ports.ListRequest) (ports.ListPage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	limit := req.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	var page ports.ListPage
	for _, k := range slices.Sorted(maps.Keys(s.items)) {
		if !strings.HasPrefix(k, req.Prefix) || k <= req.Cursor {
			continue
		}
		if len(page.Keys) == limit {
			page.Cursor = page.Keys[limit-1].Name
			return page, nil
		}
		page.Keys = append(page.Keys, ports.KeyInfo{Name: k, Metadata: s.items[k].meta})
	}
	page.Complete = true
	return page, nil
}

func (s *Store) BulkWrite(ctx context.Context, entries []ports.Entry) error {
	for _, e := range entries {
		_ = s.Put(ctx, e.Key, e.Value, ports.WithTTL(time.Duration(e.ExpirationTTL)*time.Second), ports.WithMetadata(e.Metadata))
	}
	return nil
}

func (s *Store) BulkDelete(ctx context.Context, keys []string) error {
	for _, k := range keys {
		_ = s.Delete(ctx, k)
	}
	return nil
}
