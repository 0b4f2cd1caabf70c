package storage_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"example.com/atlas/internal/storage"
	"example.com/atlas/internal/storage/memstore"
)

func TestKeysStopsAtPageBudget(t *testing.T) {
	ctx := context.Background()
	s := memstore.New()
	for i := range 25 {
		if err := s.Put(ctx, fmt.Sprintf("k:%02d", i), []byte("v"), 0); err != nil {
			t.Fatal(err)
		}
	}
	_ = s.Put(ctx, "other", []byte("v"), 0)

	var n int
	var last error
	for _, err := range storage.Keys(ctx, s, "k:", 10, 2) {
		if err != nil {
			last = err
			break
		}
		n++
	}
	if n != 20 || !errors.Is(last, storage.ErrPageBudget) {
		t.Fatalf("got %d keys, err %v", n, last)
	}

	n = 0
	for _, err := range storage.Keys(ctx, s, "k:", 10, 5) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 25 {
		t.Fatalf("got %d keys, want 25", n)
	}
}
