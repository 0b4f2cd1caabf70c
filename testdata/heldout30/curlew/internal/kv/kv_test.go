package kv_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"example.com/curlew/internal/kv"
)

// mapStore is a minimal kv.Store for tests in this package.
type mapStore struct {
	mu   sync.Mutex
	data map[string][]byte
	ttls map[string]int
}

func newMapStore() *mapStore {
	return &mapStore{data: map[string][]byte{}, ttls: map[string]int{}}
}

func (m *mapStore) Get(_ context.Context, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.data[key]
	if !ok {
		return nil, kv.ErrNotFound
	}
	return v, nil
}

func (m *mapStore) Put(_ context.Context, key string, value []byte, opts ...kv.PutOption) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.data[key] = value
	m.ttls[key] = kv.Resolve(opts).TTLSeconds()
	return nil
}

func (m *mapStore) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.data, key)
	return nil
}

func (m *mapStore) List(context.Context, kv.ListParams) (kv.Page, error) {
	return kv.Page{Complete: true}, nil
}

type countingBulk struct{ calls, total int }

func (c *countingBulk) PutMany(_ context.Context, entries []kv.Entry) error {
	c.calls++
	c.total += len(entries)
	return nil
}

func TestUpdateStartsFromZero(t *testing.T) {
	s := newMapStore()
	type doc struct{ N int }
	ctx := context.Background()
	for range 3 {
		if err := kv.Update(ctx, s, "doc", func(d *doc) error { d.N++; return nil }); err != nil {
			t.Fatal(err)
		}
	}
	var d doc
	if err := kv.GetJSON(ctx, s, "doc", &d); err != nil || d.N != 3 {
		t.Fatalf("got %+v, %v", d, err)
	}
}

func TestUpdateAbort(t *testing.T) {
	s := newMapStore()
	stop := errors.New("stop")
	err := kv.Update(context.Background(), s, "x", func(*struct{}) error { return stop })
	if !errors.Is(err, stop) {
		t.Fatalf("err = %v", err)
	}
	if _, err := s.Get(context.Background(), "x"); !kv.IsNotFound(err) {
		t.Fatalf("aborted update wrote a value")
	}
}

func TestPutAllBatches(t *testing.T) {
	bw := &countingBulk{}
	entries := make([]kv.Entry, kv.MaxBulkPairs+1)
	if err := kv.PutAll(context.Background(), bw, entries); err != nil {
		t.Fatal(err)
	}
	if bw.calls != 2 || bw.total != len(entries) {
		t.Fatalf("calls=%d total=%d", bw.calls, bw.total)
	}
}
