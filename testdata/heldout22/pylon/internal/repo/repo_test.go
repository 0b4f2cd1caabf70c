package repo

import (
	"context"
	"testing"

	"example.com/pylon/internal/storage"
)

type fakeRW struct {
	data map[string][]byte
	opts map[string]storage.PutOptions
}

func newFake() *fakeRW {
	return &fakeRW{data: map[string][]byte{}, opts: map[string]storage.PutOptions{}}
}

func (f *fakeRW) Get(_ context.Context, key string) ([]byte, error) {
	v, ok := f.data[key]
	if !ok {
		return nil, storage.ErrNotFound
	}
	return v, nil
}

func (f *fakeRW) Put(_ context.Context, key string, value []byte, o storage.PutOptions) error {
	f.data[key] = value
	f.opts[key] = o
	return nil
}

func (f *fakeRW) Delete(_ context.Context, key string) error {
	delete(f.data, key)
	return nil
}

type item struct{ Name string }

func TestSaveFindUpdate(t *testing.T) {
	ctx := context.Background()
	store := newFake()
	r := New[item](store, "item:", WithCodec[item](Gob[item]{}))
	if opt, err := r.Find(ctx, "a"); err != nil || func() bool { _, ok := opt.Get(); return ok }() {
		t.Fatalf("expected miss, got %v %v", opt, err)
	}
	if err := r.Save(ctx, "a", item{Name: "x"}); err != nil {
		t.Fatal(err)
	}
	got, err := r.Update(ctx, "a", func(it *item) error { it.Name += "y"; return nil })
	if err != nil || got.Name != "xy" {
		t.Fatalf("update: %v %v", got, err)
	}
}
