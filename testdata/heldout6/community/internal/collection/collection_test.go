package collection_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"example.com/community/internal/collection"
	"example.com/community/internal/store"
	"example.com/community/internal/store/memstore"
)

type doc struct {
	N int `json:"n"`
}

func TestPutGetUpdate(t *testing.T) {
	ctx := context.Background()
	kv := memstore.New()
	c := collection.New[doc](kv, "doc:", collection.WithTTL(time.Hour))

	if err := c.Put(ctx, "a", doc{N: 1}); err != nil {
		t.Fatal(err)
	}
	if got := kv.Puts["doc:a"].TTL; got != time.Hour {
		t.Fatalf("ttl = %v", got)
	}
	got, err := c.Update(ctx, "a", func(d *doc) error { d.N += 41; return nil })
	if err != nil || got.N != 42 {
		t.Fatalf("update = %v, %v", got, err)
	}
	if _, err := c.Get(ctx, "missing"); !store.IsNotFound(err) {
		t.Fatalf("want not found, got %v", err)
	}
}

func TestPageAndKeys(t *testing.T) {
	ctx := context.Background()
	kv := memstore.New()
	c := collection.New[doc](kv, "doc:", collection.WithPageSize(3))
	for i := range 7 {
		if err := c.Put(ctx, fmt.Sprintf("%02d", i), doc{N: i}); err != nil {
			t.Fatal(err)
		}
	}
	_ = kv.Put(ctx, "other:1", []byte("{}"))

	ids, cursor, err := c.Page(ctx, "", 0)
	if err != nil || len(ids) != 3 || cursor == "" {
		t.Fatalf("page 1 = %v %q %v", ids, cursor, err)
	}
	all, err := c.Keys(ctx)
	if err != nil || len(all) != 7 || all[6] != "06" {
		t.Fatalf("keys = %v %v", all, err)
	}
}
