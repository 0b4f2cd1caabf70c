package kvstore

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

type memEntry struct {
	value    []byte
	expires  time.Time
	metadata any
}

// Memory is an in-process Store. It honours TTLs and pages listings the way
// the real service does, which is enough for tests and `JUNIPER_STORE_BACKEND=memory`.
type Memory struct {
	mu       sync.Mutex
	data     map[string]memEntry
	now      func() time.Time
	pageSize int
}

// NewMemory returns an empty Memory store.
func NewMemory() *Memory {
	return &Memory{data: map[string]memEntry{}, now: time.Now, pageSize: 1000}
}

// SetClock replaces the clock used for expiry (tests).
func (m *Memory) SetClock(now func() time.Time) { m.now = now }

func (m *Memory) Get(_ context.Context, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.data[key]
	if !ok || m.expired(e) {
		return nil, ErrNotFound
	}
	return slices.Clone(e.value), nil
}

func (m *Memory) Put(_ context.Context, key string, value []byte, opts ...PutOption) error {
	o := Collect(opts)
	e := memEntry{value: slices.Clone(value), metadata: o.Metadata}
	switch {
	case o.TTL > 0:
		e.expires = m.now().Add(o.TTL)
	case !o.ExpireAt.IsZero():
		e.expires = o.ExpireAt
	}
	m.mu.Lock()
	m.data[key] = e
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
	m.mu.Lock()
	defer m.mu.Unlock()
	var names []string
	for k, e := range m.data {
		if strings.HasPrefix(k, q.Prefix) && !m.expired(e) {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	start, _ := strconv.Atoi(q.Cursor)
	start = min(start, len(names))
	limit := m.pageSize
	if q.Limit > 0 {
		limit = min(q.Limit, limit)
	}
	end := min(start+limit, len(names))
	page := Page{}
	for _, k := range names[start:end] {
		e := m.data[k]
		page.Keys = append(page.Keys, KeyInfo{Name: k, Expiration: max(e.expires.Unix(), 0), Metadata: e.metadata})
	}
	if end < len(names) {
		page.Cursor = strconv.Itoa(end)
	}
	return page, nil
}

func (m *Memory) expired(e memEntry) bool {
	return !e.expires.IsZero() && !m.now().Before(e.expires)
}
