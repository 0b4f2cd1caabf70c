package store

import (
	"context"
	"sort"
	"strings"
	"sync"
	"time"
)

// Memory is an in-process Raw used by local development and by the backend's
// dry-run mode. It honours TTLs lazily on read.
type Memory struct {
	mu   sync.RWMutex
	data map[string]memItem
}

type memItem struct {
	value   []byte
	expires time.Time
	meta    map[string]any
}

var _ Raw = (*Memory)(nil)

// NewMemory returns an empty Memory store.
func NewMemory() *Memory { return &Memory{data: make(map[string]memItem)} }

func (m *Memory) Get(_ context.Context, key string) ([]byte, bool, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	it, ok := m.data[key]
	if !ok || (!it.expires.IsZero() && time.Now().After(it.expires)) {
		return nil, false, nil
	}
	return append([]byte(nil), it.value...), true, nil
}

func (m *Memory) Put(_ context.Context, key string, value []byte, opts ...PutOption) error {
	o := Apply(opts)
	it := memItem{value: append([]byte(nil), value...)}
	switch {
	case o.TTL > 0:
		it.expires = time.Now().Add(o.TTL)
	case !o.ExpiresAt.IsZero():
		it.expires = o.ExpiresAt
	}
	if md, ok := o.Metadata.(map[string]any); ok {
		it.meta = md
	}
	m.mu.Lock()
	m.data[key] = it
	m.mu.Unlock()
	return nil
}

func (m *Memory) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	delete(m.data, key)
	m.mu.Unlock()
	return nil
}

func (m *Memory) List(_ context.Context, q ListQuery) (Page, error) {
	m.mu.RLock()
	names := make([]string, 0, len(m.data))
	for k := range m.data {
		if strings.HasPrefix(k, q.Prefix) && k > q.Cursor {
			names = append(names, k)
		}
	}
	m.mu.RUnlock()
	sort.Strings(names)
	limit := q.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	p := Page{Complete: true}
	if len(names) > limit {
		names = names[:limit]
		p.Complete = false
		p.Cursor = names[len(names)-1]
	}
	for _, n := range names {
		p.Keys = append(p.Keys, Key{Name: n})
	}
	return p, nil
}
