package storage

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Memory is an in-process KV for local runs of the back office. It keeps
// expiry but none of the store's consistency behaviour.
type Memory struct {
	mu   sync.RWMutex
	data map[string]memEntry
	now  func() time.Time
}

type memEntry struct {
	value   []byte
	expires time.Time
	meta    map[string]string
}

// NewMemory returns an empty Memory.
func NewMemory() *Memory {
	return &Memory{data: make(map[string]memEntry), now: time.Now}
}

var _ KV = (*Memory)(nil)

// Get implements Reader.
func (m *Memory) Get(_ context.Context, key string) ([]byte, bool, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	e, ok := m.data[key]
	if !ok || (!e.expires.IsZero() && m.now().After(e.expires)) {
		return nil, false, nil
	}
	return slices.Clone(e.value), true, nil
}

// Put implements Writer.
func (m *Memory) Put(_ context.Context, key string, value []byte, opts PutOptions) error {
	e := memEntry{value: slices.Clone(value), meta: opts.Metadata}
	switch {
	case opts.TTL > 0:
		e.expires = m.now().Add(opts.TTL)
	case !opts.ExpiresAt.IsZero():
		e.expires = opts.ExpiresAt
	}
	m.mu.Lock()
	m.data[key] = e
	m.mu.Unlock()
	return nil
}

// Delete implements Writer.
func (m *Memory) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	delete(m.data, key)
	m.mu.Unlock()
	return nil
}

// List implements Lister with numeric cursors.
func (m *Memory) List(_ context.Context, req ListRequest) (ListPage, error) {
	m.mu.RLock()
	names := make([]string, 0, len(m.data))
	for k := range m.data {
		if strings.HasPrefix(k, req.Prefix) {
			names = append(names, k)
		}
	}
	m.mu.RUnlock()
	slices.Sort(names)

	start, _ := strconv.Atoi(req.Cursor)
	limit := req.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	end := min(start+limit, len(names))
	page := ListPage{Complete: end >= len(names)}
	if !page.Complete {
		page.Cursor = strconv.Itoa(end)
	}
	for _, n := range names[start:end] {
		page.Keys = append(page.Keys, ListedKey{Name: n})
	}
	return page, nil
}
