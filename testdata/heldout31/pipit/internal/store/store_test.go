package store_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"example.com/pipit/internal/kvop"
	"example.com/pipit/internal/store"
)

// memKV is an in-memory store.KV for tests.
type memKV struct {
	mu   sync.Mutex
	data map[string][]byte
	meta map[string]any
}

func newMemKV() *memKV { return &memKV{data: map[string][]byte{}, meta: map[string]any{}} }

var _ store.KV = (*memKV)(nil)

func (m *memKV) Get(_ context.Context, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.data[key]
	if !ok {
		return nil, store.ErrNotFound
	}
	return v, nil
}

func (m *memKV) GetMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, k := range keys {
		if v, err := m.Get(ctx, k); err == nil {
			out[k] = v
		}
	}
	return out, nil
}

func (m *memKV) Put(_ context.Context, key string, value []byte, opts ...store.PutOption) error {
	var o store.PutOptions
	for _, opt := range opts {
		opt(&o)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.data[key] = value
	m.meta[key] = o.Metadata
	return nil
}

func (m *memKV) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.data, key)
	return nil
}

func (m *memKV) Find(_ context.Context, q store.Query) (store.Page, error) {
	q = q.WithDefaults()
	m.mu.Lock()
	defer m.mu.Unlock()
	var keys []string
	for k := range m.data {
		if strings.HasPrefix(k, q.Prefix) && k > q.After {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var p store.Page
	for i, k := range keys {
		if i == q.Limit {
			p.Next = keys[i-1]
			break
		}
		p.Entries = append(p.Entries, store.Entry{Key: k})
	}
	return p, nil
}

func TestMemKVPaging(t *testing.T) {
	ctx := context.Background()
	kv := newMemKV()
	for _, k := range []string{"a:1", "a:2", "a:3", "b:1"} {
		_ = kv.Put(ctx, k, []byte(k))
	}
	q := store.Query{Prefix: "a:", Limit: 2}
	var got []string
	for {
		p, err := kv.Find(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range p.Entries {
			got = append(got, e.Key)
		}
		if p.Done() {
			break
		}
		q.After = p.Next
	}
	if !slices.Equal(got, []string{"a:1", "a:2", "a:3"}) {
		t.Fatalf("got %v", got)
	}
}

func TestOpStoreFind(t *testing.T) {
	exec := func(_ context.Context, op kvop.Op) (kvop.Result, error) {
		if op.Kind != kvop.OpList || op.Limit != store.DefaultLimit {
			t.Fatalf("unexpected op %+v", op)
		}
		return kvop.Result{Keys: []kvop.KeyInfo{{Name: "x"}}, Cursor: "c1"}, nil
	}
	p, err := store.FromExec(exec).Find(context.Background(), store.Query{Prefix: "x"})
	if err != nil || p.Next != "c1" || len(p.Entries) != 1 {
		t.Fatalf("page %+v, err %v", p, err)
	}
}
