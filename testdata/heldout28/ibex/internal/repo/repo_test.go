package repo

import (
	"context"
	"sync"
	"testing"
	"time"
)

type memBackend struct {
	mu   sync.Mutex
	data map[string][]byte
	ttls map[string]time.Duration
}

func newMem() *memBackend {
	return &memBackend{data: map[string][]byte{}, ttls: map[string]time.Duration{}}
}

func (m *memBackend) Lookup(_ context.Context, key string) ([]byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.data[key]
	return v, ok, nil
}

func (m *memBackend) Save(_ context.Context, key string, val []byte, ttl time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.data[key], m.ttls[key] = val, ttl
	return nil
}

func (m *memBackend) Remove(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.data, key)
	return nil
}

var _ Backend = (*memBackend)(nil)

type item struct {
	Name string `json:"name"`
}

func TestPutGet(t *testing.T) {
	be := newMem()
	r := New[item](be, WithPrefix("item:"), WithTTL(time.Hour))
	ctx := context.Background()
	if err := r.Put(ctx, "a", item{Name: "x"}); err != nil {
		t.Fatal(err)
	}
	got, ok, err := r.Get(ctx, "a")
	if err != nil || !ok || got.Name != "x" {
		t.Fatalf("got %+v %v %v", got, ok, err)
	}
	if be.ttls["item:a"] != time.Hour {
		t.Fatalf("ttl %v", be.ttls["item:a"])
	}
}

func TestGetOrLoad(t *testing.T) {
	r := New[item](newMem())
	calls := 0
	load := func(context.Context, string) (item, error) { calls++; return item{Name: "loaded"}, nil }
	for range 2 {
		if _, err := r.GetOrLoad(context.Background(), "b", load); err != nil {
			t.Fatal(err)
		}
	}
	if calls != 1 {
		t.Fatalf("loaded %d times", calls)
	}
}
