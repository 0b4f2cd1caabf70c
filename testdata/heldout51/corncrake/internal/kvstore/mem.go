package kvstore

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"
)

type memItem struct {
	value    []byte
	meta     any
	expireAt time.Time
}

// Memory is the mem:// backend: a process-local map with expiry, used by the
// demo stack and local development.
type Memory struct {
	mu    sync.Mutex
	items map[string]memItem
	now   func() time.Time
}

// NewMemory returns an empty in-memory store.
func NewMemory() *Memory { return &Memory{items: map[string]memItem{}, now: time.Now} }

func (m *Memory) live(k string) (memItem, bool) {
	it, ok := m.items[k]
	if !ok {
		return memItem{}, false
	}
	if !it.expireAt.IsZero() && m.now().After(it.expireAt) {
		delete(m.items, k)
		return memItem{}, false
	}
	return it, true
}

// Get implements Store.
func (m *Memory) Get(_ context.Context, key string) Result[Optional[[]byte]] {
	m.mu.Lock()
	defer m.mu.Unlock()
	it, ok := m.live(key)
	if !ok {
		return OK(None[[]byte]())
	}
	return OK(Some(slices.Clone(it.value)))
}

// Put implements Store.
func (m *Memory) Put(_ context.Context, key string, value []byte, opts PutOptions) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	it := memItem{value: slices.Clone(value), meta: opts.Metadata}
	switch {
	case opts.TTL > 0:
		it.expireAt = m.now().Add(opts.TTL)
	case !opts.ExpireAt.IsZero():
		it.expireAt = opts.ExpireAt
	}
	m.items[key] = it
	return nil
}

// Delete implements Store.
func (m *Memory) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.items, key)
	return nil
}

// PutBatch implements BatchWriter.
func (m *Memory) PutBatch(ctx context.Context, entries []Entry) error {
	for _, e := range entries {
		_ = m.Put(ctx, e.Key, e.Value, e.Opts)
	}
	return nil
}

// DeleteBatch implements BatchDeleter.
func (m *Memory) DeleteBatch(ctx context.Context, keys []string) error {
	for _, k := range keys {
		_ = m.Delete(ctx, k)
	}
	return nil
}

// List implements Lister with the same cursor semantics as KV: the cursor is
// the last key returned.
func (m *Memory) List(_ context.Context, opts ListOptions) Result[Page] {
	m.mu.Lock()
	defer m.mu.Unlock()
	limit := opts.Limit
	if limit <= 0 || limit > MaxListLimit {
		limit = MaxListLimit
	}
	names := make([]string, 0, len(m.items))
	for k := range m.items {
		if _, ok := m.live(k); ok && strings.HasPrefix(k, opts.Prefix) && k > opts.Cursor {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	var p Page
	for i, k := range names {
		if i == limit {
			p.Cursor = names[i-1]
			return OK(p)
		}
		it := m.items[k]
		p.Keys = append(p.Keys, KeyInfo{Name: k, Expiration: it.expireAt, Metadata: it.meta})
	}
	p.Complete = true
	return OK(p)
}
