package storage

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Memory is an in-process Store used by tests and by the admin tool's
// dry-run mode. It honours expiry and pages listings like KV does.
type Memory struct {
	mu       sync.Mutex
	now      func() time.Time
	items    map[string]memItem
	pageSize int
}

type memItem struct {
	value   []byte
	expires time.Time
}

// NewMemory returns an empty Memory store.
func NewMemory(now func() time.Time) *Memory {
	if now == nil {
		now = time.Now
	}
	return &Memory{now: now, items: make(map[string]memItem), pageSize: 1000}
}

// Get implements Reader.
func (m *Memory) Get(_ context.Context, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	it, ok := m.items[key]
	if !ok || m.expired(it) {
		return nil, ErrNotFound
	}
	return slices.Clone(it.value), nil
}

// Put implements Writer.
func (m *Memory) Put(_ context.Context, key string, value []byte, opts PutOptions) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	it := memItem{value: slices.Clone(value)}
	switch {
	case opts.TTL > 0:
		it.expires = m.now().Add(opts.TTL)
	case !opts.ExpireAt.IsZero():
		it.expires = opts.ExpireAt
	}
	m.items[key] = it
	return nil
}

// Delete implements Writer.
func (m *Memory) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	delete(m.items, key)
	m.mu.Unlock()
	return nil
}

// PutMany implements BulkWriter.
func (m *Memory) PutMany(ctx context.Context, entries []Entry) error {
	for _, e := range entries {
		if err := m.Put(ctx, e.Key, e.Value, e.Opts); err != nil {
			return err
		}
	}
	return nil
}

// List implements Lister. The cursor is the last key of the previous page.
func (m *Memory) List(_ context.Context, opts ListOptions) (Page, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	limit := opts.Limit
	if limit <= 0 || limit > m.pageSize {
		limit = m.pageSize
	}
	names := make([]string, 0, len(m.items))
	for k, it := range m.items {
		if strings.HasPrefix(k, opts.Prefix) && k > opts.Cursor && !m.expired(it) {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	var p Page
	for i, k := range names {
		if i == limit {
			p.Cursor = p.Keys[len(p.Keys)-1].Name
			return p, nil
		}
		p.Keys = append(p.Keys, KeyInfo{Name: k, Expiration: m.items[k].expires})
	}
	p.Complete = true
	return p, nil
}

func (m *Memory) expired(it memItem) bool {
	return !it.expires.IsZero() && !m.now().Before(it.expires)
}

func TestKeysFollowsCursorWithPrefix(t *testing.T) {
	ctx := context.Background()
	m := NewMemory(nil)
	m.pageSize = 2
	for _, k := range []string{"a:1", "a:2", "a:3", "b:1", "a:4"} {
		_ = m.Put(ctx, k, []byte(k), PutOptions{})
	}
	var got []string
	for k, err := range Keys(ctx, m, "a:") {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, k.Name)
	}
	if want := []string{"a:1", "a:2", "a:3", "a:4"}; !slices.Equal(got, want) {
		t.Fatalf("Keys = %v, want %v", got, want)
	}
	var first []string
	for k := range Take(Keys(ctx, m, "a:"), 3) {
		first = append(first, k.Name)
	}
	if len(first) != 3 {
		t.Fatalf("Take(3) yielded %d keys", len(first))
	}
}

func TestExpiry(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	m := NewMemory(func() time.Time { return now })
	_ = m.Put(ctx, "hold:1", []byte("x"), PutOptions{TTL: 10 * time.Minute})
	now = now.Add(11 * time.Minute)
	if _, err := m.Get(ctx, "hold:1"); !IsNotFound(err) {
		t.Fatalf("expected expiry, got %v", err)
	}
}
