package storage_test

import (
	"context"
	"fmt"
	"testing"

	"example.com/mosaic/internal/storage"
	"example.com/mosaic/internal/storage/memstore"
	"example.com/mosaic/internal/storage/mw"
)

func TestNamespaceAndWalk(t *testing.T) {
	ctx := context.Background()
	raw := memstore.New()
	st := storage.Chain(raw, mw.Namespace("acme"))
	for i := 0; i < 2500; i++ {
		key := fmt.Sprintf("item:%05d", i)
		if err := st.Put(ctx, key, []byte("v"), storage.PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := raw.Get(ctx, "acme:item:00042"); err != nil {
		t.Fatalf("prefixed key missing: %v", err)
	}
	n := 0
	err := storage.Walk(ctx, st, "item:", func(k storage.Key) error {
		n++
		return nil
	})
	if err != nil || n != 2500 {
		t.Fatalf("walk saw %d keys, err %v", n, err)
	}
}

func TestOpenUnknownDriver(t *testing.T) {
	if _, err := storage.Open("nope", nil); err == nil {
		t.Fatal("expected error for unknown driver")
	}
	if st, err := storage.Open("memory", nil); err != nil || st == nil {
		t.Fatalf("memory driver: %v", err)
	}
}
