package kvstore_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"example.com/quarry/internal/kvstore"
	"example.com/quarry/internal/kvstore/memkv"
)

func fill(t *testing.T, st kvstore.Store, prefix string, n int) {
	t.Helper()
	for i := range n {
		if err := st.Put(context.Background(), fmt.Sprintf("%s%04d", prefix, i), []byte("x"), kvstore.PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestScanFollowsCursorWithPrefix(t *testing.T) {
	st := memkv.New()
	fill(t, st, "inv:", 25)
	fill(t, st, "other:", 5)
	names, err := kvstore.Scan(st).Prefix("inv:").PageSize(10).Names(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 25 {
		t.Fatalf("got %d names, want 25", len(names))
	}
}

func TestScanLimit(t *testing.T) {
	st := memkv.New()
	fill(t, st, "inv:", 40)
	names, err := kvstore.Scan(st).Prefix("inv:").PageSize(10).Limit(15).Names(context.Background())
	if err != nil || len(names) != 15 {
		t.Fatalf("got %d names, err %v; want 15", len(names), err)
	}
}

func TestScanPageBudget(t *testing.T) {
	st := memkv.New()
	fill(t, st, "inv:", 250)
	_, err := kvstore.Scan(st).Prefix("inv:").PageSize(10).Names(context.Background())
	if !errors.Is(err, kvstore.ErrTruncated) {
		t.Fatalf("err = %v, want ErrTruncated", err)
	}
}
