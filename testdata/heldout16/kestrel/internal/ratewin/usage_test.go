package ratewin

import (
	"context"
	"testing"

	"example.com/kestrel/internal/store/memstore"
)

func TestUsageFlush(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	u := newUsage(st, func() string { return "2025-03-01" })
	defer u.Close()
	for range 3 {
		u.Record("k1")
	}
	u.Record("k2")
	if err := u.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	u.Record("k1")
	if err := u.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if v, err := st.Get(ctx, "usage/k1/2025-03-01"); err != nil || v != "4" {
		t.Fatalf("k1 = %q, %v", v, err)
	}
}
