package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"example.com/orchard/internal/store"
	"example.com/orchard/internal/store/memstore"
)

func TestScanStopsAtBudget(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	for i := range 25 {
		_ = st.Put(ctx, fmt.Sprintf("inv:%03d", i), "x")
	}
	_ = st.Put(ctx, "other:1", "x")

	names, err := store.Scan(st).Prefix("inv:").Limit(10).Pages(2).Names(ctx)
	if !errors.Is(err, store.ErrTruncated) {
		t.Fatalf("err = %v, want ErrTruncated", err)
	}
	if len(names) != 20 {
		t.Fatalf("got %d names, want 20", len(names))
	}

	names, err = store.Scan(st).Prefix("inv:").Limit(10).Pages(5).Names(ctx)
	if err != nil || len(names) != 25 {
		t.Fatalf("got %d names, err %v", len(names), err)
	}
}

func TestLoadMiss(t *testing.T) {
	st := memstore.New()
	_, ok, err := store.Load[map[string]int](context.Background(), st, "nope")
	if ok || err != nil {
		t.Fatalf("ok=%v err=%v", ok, err)
	}
}
