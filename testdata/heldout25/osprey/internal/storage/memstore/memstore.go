// Package memstore is an in-memory storage.Raw used in tests and local runs.
package memstore

import (
	"context"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/osprey/internal/storage"
)

type item struct {
	value    []byte
	expires  time.Time
	metadata json.RawMessage
}

type memStore struct {
	mu    sync.RWMutex
	items map[string]item
	now   func() time.Time
}

var _ storage.Raw = (*memStore)(nil)

// New returns an empty in-memory store.
func New() storage.Raw {
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
	o := storage.Apply(opts)
	it := item{value: append([]byte(nil), value...)}
	switch {
	case o.TTL > 0:
		it.expires = m.now().Add(o.TTL)
	case !o.ExpireAt.IsZero():
		it.expires = o.ExpireAt
	}
	if o.Metadata != nil {
		b, err := json.Marshal(o.Metadata)
		if err != nil {
			return err
		}
		it.metadata = b
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
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	m.mu.RLock()
	names := make([]string, 0, len(m.items))
	for k := range m.items {
		if strings.HasPrefix(k, prefix) {
			names = append(names, k)
		}
	}
	m.mu.RUnlock()
	sort.Strings(names)
	start := 0
	if cursor != "" {
		n, err := strconv.Atoi(cursor)
		if err != nil {
			return storage.Page{}, err
		}
		start = n
	}
	var p storage.Page
	end := min(start+limit, len(names))
	for _, n := range names[start:end] {
		m.mu.RLock()
		it := m.items[n]
		m.mu.RUnlock()
		ki := storage.KeyInfo{Name: n, Metadata: it.metadata}
		if !it.expires.IsZero() {
			ki.Expiration = it.expires.Unix()
		}
		p.Keys = append(p.Keys, ki)
	}
	if end < len(names) {
		p.Cursor = strconv.Itoa(end)
	} else {
		p.Complete = true
	}
	return p, nil
}
