package kv_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/marlin/internal/kv"
	"example.com/marlin/internal/kv/memkv"
)

// failingPuts embeds a real store and overrides Put only.
type failingPuts struct {
	kv.Store
	err error
}

func (f failingPuts) Put(context.Context, string, []byte, kv.PutOptions) error { return f.err }

type note struct {
	ID   string `json:"id"`
	Body string `json:"body"`
}

func (n note) StorageKey() string { return "note:" + n.ID }

func TestSaveLoad(t *testing.T) {
	ctx := context.Background()
	s := memkv.New(nil)
	if err := kv.Save(ctx, s, note{ID: "1", Body: "hi"}, time.Hour); err != nil {
		t.Fatal(err)
	}
	got, err := kv.Load[note](ctx, s, "note:1")
	if err != nil || got.Body != "hi" {
		t.Fatalf("got %+v, %v", got, err)
	}
	if _, err := kv.Load[note](ctx, s, "note:2"); !kv.IsNotFound(err) {
		t.Fatalf("want not found, got %v", err)
	}
}

func TestReadThroughPropagatesFillError(t *testing.T) {
	boom := errors.New("boom")
	cache := failingPuts{Store: memkv.New(nil), err: boom}
	src := kv.LoaderFunc(func(context.Context, string) ([]byte, error) { return []byte("x"), nil })
	get := kv.ReadThrough(cache, src, time.Second)
	if _, err := get(context.Background(), "k"); !errors.Is(err, boom) {
		t.Fatalf("want boom, got %v", err)
	}
}

func TestPrefixedView(t *testing.T) {
	ctx := context.Background()
	base := memkv.New(nil)
	view := base.ForTenant("c1")
	if err := view.Put(ctx, "a", []byte("1"), kv.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := base.Get(ctx, "t/c1/a"); err != nil {
		t.Fatalf("expected prefixed key: %v", err)
	}
	page, err := view.List(ctx, kv.ListRequest{})
	if err != nil || len(page.Keys) != 1 || page.Keys[0].Name != "a" {
		t.Fatalf("list: %+v %v", page, err)
	}
}

func TestClampTTL(t *testing.T) {
	for in, want := range map[time.Duration]time.Duration{0: 0, time.Second: time.Minute, time.Hour: time.Hour} {
		if got := kv.ClampTTL(in); got != want {
			t.Errorf("ClampTTL(%v) = %v, want %v", in, got, want)
		}
	}
}
