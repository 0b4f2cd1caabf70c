package tiered

import (
	"context"
	"sync"
	"testing"
	"time"

	"example.com/petrel/internal/storage"
)

type fakeStore struct {
	mu   sync.Mutex
	data map[string][]byte
	ttls map[string]time.Duration
	gets int
}

func (f *fakeStore) Get(_ context.Context, key string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gets++
	if v, ok := f.data[key]; ok {
		return v, nil
	}
	return nil, &storage.NotFoundError{Key: key}
}

func (f *fakeStore) Put(_ context.Context, key string, v []byte, o storage.PutOptions) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.data[key], f.ttls[key] = v, o.TTL
	return nil
}

func (f *fakeStore) Delete(_ context.Context, key string) error { delete(f.data, key); return nil }

func (f *fakeStore) List(context.Context, storage.ListQuery) (storage.Page, error) {
	return storage.Page{Complete: true}, nil
}

func newFake() *fakeStore {
	return &fakeStore{data: map[string][]byte{}, ttls: map[string]time.Duration{}}
}

func TestReadThroughLoadsOnce(t *testing.T) {
	st := newFake()
	c := NewReadThrough(st, WithTTL(5*time.Minute))
	loads := 0
	load := func(context.Context) ([]byte, error) { loads++; return []byte("v"), nil }
	for range 3 {
		if b, err := c.Get(context.Background(), "k", load); err != nil || string(b) != "v" {
			t.Fatalf("get: %q %v", b, err)
		}
	}
	if loads != 1 || st.gets != 1 {
		t.Fatalf("loads=%d gets=%d", loads, st.gets)
	}
}

func TestWriteThroughFloorsTTL(t *testing.T) {
	st := newFake()
	c := NewWriteThrough(st, WithTTL(10*time.Second))
	if err := c.Set(context.Background(), "k", []byte("1")); err != nil {
		t.Fatal(err)
	}
	if st.ttls["k"] != time.Minute {
		t.Fatalf("ttl = %v", st.ttls["k"])
	}
}
