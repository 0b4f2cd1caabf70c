package store

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"

	"example.com/larkspur/internal/kvstore"
)

type fakeStore struct {
	vals  map[string][]byte
	lists int
}

func (f *fakeStore) Get(_ context.Context, key string, _ ...kvstore.Option) ([]byte, error) {
	if v, ok := f.vals[key]; ok {
		return v, nil
	}
	return nil, kvstore.ErrNotFound
}

func (f *fakeStore) Put(_ context.Context, key string, value []byte, _ ...kvstore.Option) error {
	f.vals[key] = value
	return nil
}

func (f *fakeStore) Delete(_ context.Context, key string) error {
	delete(f.vals, key)
	return nil
}

func (f *fakeStore) List(_ context.Context, prefix string, opts ...kvstore.Option) (kvstore.Page, error) {
	f.lists++
	o := kvstore.Resolve(opts...)
	var p kvstore.Page
	for _, k := range slices.Sorted(maps.Keys(f.vals)) {
		if !strings.HasPrefix(k, prefix) || (o.Cursor != "" && k <= o.Cursor) {
			continue
		}
		if len(p.Keys) == o.Limit {
			p.Cursor = p.Keys[len(p.Keys)-1].Name
			return p, nil
		}
		p.Keys = append(p.Keys, kvstore.KeyInfo{Name: k})
	}
	p.Complete = true
	return p, nil
}

type item struct{ N int }

func TestRepoRoundTripAndPaging(t *testing.T) {
	st := &fakeStore{vals: map[string][]byte{}}
	r := New[item](st, "item:")
	ctx := context.Background()
	for i, id := range []string{"a", "b", "c"} {
		if err := r.Put(ctx, id, item{N: i}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := r.Get(ctx, "b")
	if err != nil || got.N != 1 {
		t.Fatalf("get b: %+v %v", got, err)
	}
	ids, next, err := r.IDs(ctx, "", 2)
	if err != nil || len(ids) != 2 || next == "" {
		t.Fatalf("first page: %v %q %v", ids, next, err)
	}
	ids, next, err = r.IDs(ctx, next, 2)
	if err != nil || len(ids) != 1 || next != "" {
		t.Fatalf("second page: %v %q %v", ids, next, err)
	}
}
