package cache

import (
	"context"
	"testing"
	"time"

	"example.com/commerce/internal/adapters/memkv"
)

func TestReadThrough(t *testing.T) {
	ctx := context.Background()
	loads := 0
	load := func(_ context.Context, k string) (int, error) { loads++; return len(k), nil }
	c := New[string, int](memkv.New(), func(s string) string { return s }, WithTTL(2*time.Minute))
	for range 3 {
		v, err := c.Get(ctx, "abcd", load)
		if err != nil || v != 4 {
			t.Fatalf("Get = %d, %v", v, err)
		}
	}
	if loads != 1 {
		t.Fatalf("loader called %d times", loads)
	}
	_ = c.Invalidate(ctx, "abcd")
	_, _ = c.Get(ctx, "abcd", load)
	if loads != 2 {
		t.Fatalf("loader not called after invalidate")
	}
}
