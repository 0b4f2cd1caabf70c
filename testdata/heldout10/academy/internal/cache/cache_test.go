package cache_test

import (
	"context"
	"testing"

	"example.com/academy/internal/cache"
	"example.com/academy/internal/kvstore/memkv"
)

func TestGetOrLoadFillsOnce(t *testing.T) {
	ctx := context.Background()
	s := memkv.New()
	c := cache.New(s, func(id string) string { return "c:" + id }, cache.JSON[string]{}, cache.TierWarm.Policy())
	loads := 0
	load := func(context.Context, string) (string, error) { loads++; return "value", nil }
	for range 3 {
		v, err := c.GetOrLoad(ctx, "1", load)
		if err != nil || v != "value" {
			t.Fatalf("v=%q err=%v", v, err)
		}
	}
	if loads != 1 {
		t.Fatalf("loaded %d times, want 1", loads)
	}
}
