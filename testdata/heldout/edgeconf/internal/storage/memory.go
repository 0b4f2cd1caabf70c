package storage

import (
	"context"
	"sort"
	"strings"
	"sync"
	"time"
)

// Memory is an in-process Store. It is used by unit tests and by the API
// server when EDGECONF_STORE=memory. Expiry is evaluated lazily on read.
type Memory struct {
	mu    sync.RWMutex
	items map[string]memItem
	now   func() time.Time
}

type memItem struct {
	val     []byte
	expires time.Time
}

var (
	_ ExpiringStore = (*Memory)(nil)
	_ KeyLister     = (*Memory)(nil)
)

// NewMemory returns an empty in-memory store.
func NewMemory() *Memory {
	return &Memory{items: make(map[string]memItem), now: time.Now}
}

// WithClock replaces the clock used for expiry; tests use it to fast-forward.
func (m *Memory) WithClock(now func() time.Time) *Memory {
	m.now = now
	return m
}

func (m *Memory) Get(_ context.Context, key string) ([]byte, error) {
	m.mu.RLock()
	it, ok := m.items[key]
	m.mu.RUnlock()
	if !ok || (!it.expires.IsZero() && !m.now().Before(it.expires)) {
		return nil, ErrNotFound
	}
	out := make([]byte, len(it.val))
	copy(out, it.val)
	return out, nil
}

func (m *Memory) Set(_ context.Context, key string, val []byte, ttl time.Duration) error {
	it := memItem{val: append([]byte(nil), val...)}
	if ttl > 0 {
		it.expires = m.now().Add(ttl)
	}
	m.mu.Lock()
	m.items[key] = it
	m.mu.Unlock()
	return nil
}

func (m *Memory) SetAt(_ context.Context, key string, val []byte, at time.Time) error {
	m.mu.Lock()
	m.items[key] = memItem{val: append([]byte(nil), val...), expires: at}
	m.mu.Unlock()
	return nil
}

func (m *Memory) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	delete(m.items, key)
	m.mu.Unlock()
	return nil
}

func (m *Memory) List(_ context.Context, prefix string) ([]string, error) {
	now := m.now()
	m.mu.RLock()
	defer m.mu.RUnlock()
	var keys []string
	for k, it := range m.items {
		if !strings.HasPrefix(k, prefix) {
			continue
		}
		if !it.expires.IsZero() && !now.Before(it.expires) {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys, nil
}

// Len reports the number of live keys; handy in tests.
func (m *Memory) Len() int {
	keys, _ := m.List(context.Background(), "")
	return len(keys)
}
