package shows

import (
	"context"
	"testing"

	"example.com/marlin/internal/catalog"
	"example.com/marlin/internal/kv"
	"example.com/marlin/internal/kv/memkv"
)

// countingGets embeds the store and counts reads.
type countingGets struct {
	kv.Store
	gets int
}

func (c *countingGets) Get(ctx context.Context, key string) ([]byte, error) {
	c.gets++
	return c.Store.Get(ctx, key)
}

func TestCardIsCached(t *testing.T) {
	ctx := context.Background()
	cat := catalog.NewMemory()
	if err := cat.InsertShow(ctx, catalog.Show{ID: "s1", Slug: "deep-dive", Title: "Deep Dive"}); err != nil {
		t.Fatal(err)
	}
	store := &countingGets{Store: memkv.New(nil)}
	svc := New(store, cat)
	for range 2 {
		c, err := svc.Card(ctx, "s1")
		if err != nil || c.Title != "Deep Dive" {
			t.Fatalf("card %+v %v", c, err)
		}
	}
	if err := svc.Create(ctx, catalog.Show{ID: "s2", Slug: "deep-dive"}); err != ErrSlugTaken {
		t.Fatalf("want ErrSlugTaken, got %v", err)
	}
}
