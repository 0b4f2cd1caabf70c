// Package memstore is an in-memory storage.Blob used by tests and local runs.
package memstore

import (
	"context"
	"sort"
	"strings"
	"sync"
	"time"

	"example.com/saffron/internal/storage"
)

type item struct {
	value    []byte
	expires  time.Time
	metadata any
}

type memStore struct {
	mu    sync.RWMutex
	items map[string]item
	now   func() time.Time
}

var _ storage.Blob = (*memStore)(nil)

// New returns an empty in-memory store.
func New() storage.Blob {
	return &memStore{items: make(map[string]item), now: time.Now}
}

func (m *memStore) Get(_ context.Context, key string) ([]byte, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	it, ok := m.items[key]
	if !ok || (!it.expires.IsZero() && m.now().After(it.expires)) {
		return nil, storage.ErrNotFound
	}
	return append([]byte(nil), it.value...), nil
}

func (m *memStore) Put(_ context.Context, key string, value []byte, opts ...storage.PutOption) error {
	cfg := storage.Resolve(opts)
	it := item{value: append([]byte(nil), value...), metadata: cfg.Metadata}
	switch {
	case cfg.TTL > 0:
		it.expires = m.now().Add(cfg.TTL)
	case !cfg.ExpireAt.IsZero():
		it.expires = cfg.ExpireAt
	}
	m.mu.Lock()
	m.items[key] = it
	m.mu.Unlock()
	return nil
}

func (m *memStore) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	delete(m.items, key)
	m.mu.Unlock()
	return nil
}

func (m *memStore) List(_ context.Context, prefix, cursor string, limit int) (storage.Page, error) {
	m.mu.RLock()
	names := make([]string, 0, len(m.items))
	for k := range m.items {
		if strings.HasPrefix(k, prefix) && k > cursor {
			names = append(names, k)
		}
	}
	m.mu.RUnlock()
	sort.Strings(names)
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	page := storage.Page{Complete: true}
	if len(names) > limit {
		names = names[:limit]
		page.Complete = false
		page.Cursor = names[len(names)-1]
	}
	for _, n := range names {
		page.Keys = append(page.Keys, storage.KeyInfo{Name: n})
	}
	return page, nil
}
