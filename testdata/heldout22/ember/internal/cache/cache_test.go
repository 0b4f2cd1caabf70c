package cache

import (
	"context"
	"sync"
	"testing"
	"time"

	"example.com/ember/internal/kvstore"
)

// fakeStore is a map-backed kvstore.Store that records TTLs.
type fakeStore struct {
	mu   sync.Mutex
	data map[string][]byte
	ttls map[string]time.Duration
}

func newFakeStore() *fakeStore {
	return &fakeStore{data: map[string][]byte{}, ttls: map[string]time.Duration{}}
}

func (f *fakeStore) Get(_ context.Context, key string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.data[key]
	if !ok {
		return nil, kvstore.ErrNotFound
	}
	return v, nil
}

func (f *fakeStore) Put(_ context.Context, key string, value []byte, opts ...kvstore.PutOption) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.data[key] = value
	f.ttls[key], _ = kvstore.Expiry(opts...)
	return nil
}

func (f *fakeStore) Delete(_ context.Context, key string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.data, key)
	return nil
}

func (f *fakeStore) List(context.Context, kvstore.ListQuery) (kvstore.Page, error) {
	return kvstore.Page{}, nil
}

func TestCacheLoadsOnceAndClampsTTL(t *testing.T) {
	store := newFakeStore()
	loads := 0
	c := New(Config[string, int]{
		Store: store,
		KeyOf: func(k string) string { return "n:" + k },
		Load: func(context.Context, string) (int, error) {
			loads++
			return 42, nil
		},
		TTL: 5 * time.Second,
	})
	for range 3 {
		v, err := c.Get(context.Background(), "a")
		if err != nil || v != 42 {
			t.Fatalf("Get = %d, %v", v, err)
		}
	}
	if loads != 1 {
		t.Errorf("loads = %d, want 1", loads)
	}
	if got := store.ttls["n:a"]; got != time.Minute {
		t.Errorf("ttl = %v, want 1m", got)
	}
}
