package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"example.com/lantern/internal/store"
	"example.com/lantern/internal/store/memstore"
)

func TestWalkBudget(t *testing.T) {
	ctx := context.Background()
	m := memstore.New()
	for i := 0; i < 25; i++ {
		_ = m.Put(ctx, fmt.Sprintf("k:%02d", i), []byte("v"), store.PutOptions{})
	}
	var seen int
	err := store.Walk(ctx, m, "k:", 10, 5, func(string) error { seen++; return nil })
	if err != nil || seen != 25 {
		t.Fatalf("seen=%d err=%v", seen, err)
	}
	seen = 0
	err = store.Walk(ctx, m, "k:", 10, 2, func(string) error { seen++; return nil })
	if !errors.Is(err, store.ErrPageBudget) || seen != 20 {
		t.Fatalf("seen=%d err=%v", seen, err)
	}
}
