package memkv

import (
	"context"
	"fmt"
	"testing"
	"time"

	"example.com/caravan/internal/platform/clock"
	"example.com/caravan/internal/storage"
)

func TestListPagesInOrder(t *testing.T) {
	ctx := context.Background()
	st := New(clock.Fixed{T: time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)})
	items := make([]storage.Item, 25)
	for i := range items {
		items[i] = storage.Item{Key: fmt.Sprintf("route:van:%02d", i), Value: []byte("x")}
	}
	if err := storage.PutAll(ctx, st, items); err != nil {
		t.Fatal(err)
	}
	var names []string
	for k, err := range storage.Keys(ctx, st, "route:van:", 10) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, k.Name)
	}
	if len(names) != 25 || names[0] != "route:van:00" || names[24] != "route:van:24" {
		t.Fatalf("unexpected listing: %v", names)
	}
}

func TestExpiredKeysAreMissing(t *testing.T) {
	ctx := context.Background()
	clk := &fakeClock{now: time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)}
	st := New(clk)
	if err := st.Put(ctx, "sess:abc", []byte("{}"), time.Hour); err != nil {
		t.Fatal(err)
	}
	clk.now = clk.now.Add(2 * time.Hour)
	if _, err := st.Get(ctx, "sess:abc"); !storage.IsNotFound(err) {
		t.Fatalf("want not found, got %v", err)
	}
}

type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time { return c.now }
