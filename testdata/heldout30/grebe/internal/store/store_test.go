package store_test

import (
	"context"
	"errors"
	"sort"
	"strings"
	"sync"
	"testing"

	"example.com/grebe/internal/store"
)

// fakeStore is a minimal map-backed port that records writes.
type fakeStore struct {
	mu     sync.Mutex
	data   map[string][]byte
	puts   []string
	putErr error
}

func newFake() *fakeStore { return &fakeStore{data: map[string][]byte{}} }

func (f *fakeStore) Get(_ context.Context, key string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.data[key]
	if !ok {
		return nil, store.ErrNotFound
	}
	return v, nil
}

func (f *fakeStore) Put(_ context.Context, key string, value []byte, _ store.PutOptions) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.putErr != nil {
		return f.putErr
	}
	f.data[key] = value
	f.puts = append(f.puts, key)
	return nil
}

func (f *fakeStore) Delete(_ context.Context, key string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.data, key)
	return nil
}

func (f *fakeStore) List(_ context.Context, o store.ListOptions) (store.Page, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var p store.Page
	for k := range f.data {
		if strings.HasPrefix(k, o.Prefix) {
			p.Keys = append(p.Keys, store.KeyInfo{Name: k})
		}
	}
	sort.Slice(p.Keys, func(i, j int) bool { return p.Keys[i].Name < p.Keys[j].Name })
	p.Complete = true
	return p, nil
}

var _ store.Store = (*fakeStore)(nil)

type counter struct{ N int }

func TestUpdateStartsFromZeroValue(t *testing.T) {
	f := newFake()
	ctx := context.Background()
	for range 3 {
		if err := store.Update(ctx, f, "c", func(c *counter) error { c.N++; return nil }); err != nil {
			t.Fatal(err)
		}
	}
	got, err := store.GetJSON[counter](ctx, f, "c")
	if err != nil || got.N != 3 {
		t.Fatalf("got %+v, %v", got, err)
	}
}

func TestModifyMissingRecord(t *testing.T) {
	r := store.NewRepo[counter](newFake(), "x:")
	err := r.Modify(context.Background(), "nope", func(*counter) error { return nil })
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("want ErrNotFound, got %v", err)
	}
}

func TestFloor(t *testing.T) {
	if store.Floor(0) != 0 || store.Floor(5) != store.MinTTL {
		t.Fatal("floor")
	}
}
