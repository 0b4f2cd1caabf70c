package repo

import (
	"context"
	"testing"

	"example.com/sorrel/internal/kvstore"
)

// fakeStore records puts and serves gets from a map.
type fakeStore struct {
	data map[string][]byte
	puts []string
}

func (f *fakeStore) Get(_ context.Context, key string, _ ...kvstore.Option) ([]byte, error) {
	v, ok := f.data[key]
	if !ok {
		return nil, kvstore.ErrNotFound
	}
	return v, nil
}

func (f *fakeStore) Put(_ context.Context, key string, value []byte, _ ...kvstore.Option) error {
	if f.data == nil {
		f.data = map[string][]byte{}
	}
	f.data[key] = value
	f.puts = append(f.puts, key)
	return nil
}

func (f *fakeStore) Delete(_ context.Context, key string) error {
	delete(f.data, key)
	return nil
}

func (f *fakeStore) List(_ context.Context, prefix string, _ ...kvstore.Option) (kvstore.Page, error) {
	var p kvstore.Page
	for k := range f.data {
		if len(k) >= len(prefix) && k[:len(prefix)] == prefix {
			p.Keys = append(p.Keys, kvstore.KeyInfo{Name: k})
		}
	}
	p.Complete = true
	return p, nil
}

type widget struct{ Name string }

func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	st := &fakeStore{}
	r := New[widget](st, "w:")
	if err := r.Put(ctx, "1", widget{Name: "a"}); err != nil {
		t.Fatal(err)
	}
	got, ok, err := r.Find(ctx, "1")
	if err != nil || !ok || got.Name != "a" {
		t.Fatalf("Find = %v %v %v", got, ok, err)
	}
	if _, ok, _ := r.Find(ctx, "2"); ok {
		t.Fatal("found missing record")
	}
}
