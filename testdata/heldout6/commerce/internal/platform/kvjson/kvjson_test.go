package kvjson

import (
	"context"
	"testing"

	"example.com/commerce/internal/adapters/memkv"
)

type doc struct{ N int }

func TestUpdateAndRepo(t *testing.T) {
	ctx := context.Background()
	kv := memkv.New()
	for range 3 {
		if err := Update(ctx, kv, "k", func(d *doc) error { d.N++; return nil }); err != nil {
			t.Fatal(err)
		}
	}
	d, ok, err := Get[doc](ctx, kv, "k")
	if err != nil || !ok || d.N != 3 {
		t.Fatalf("Get = %+v %v %v", d, ok, err)
	}
	r := NewRepo[doc](kv, "doc:")
	if err := r.Save(ctx, "1", doc{N: 7}); err != nil {
		t.Fatal(err)
	}
	if got, ok, _ := r.Load(ctx, "1"); !ok || got.N != 7 {
		t.Fatalf("Load = %+v %v", got, ok)
	}
	_ = r.Remove(ctx, "1")
	if _, ok, _ := r.Load(ctx, "1"); ok {
		t.Fatal("still present after Remove")
	}
}
