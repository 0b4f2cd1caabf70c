package metrics

import (
	"context"
	"testing"

	"example.com/quarry/internal/storage/memstore"
)

func TestViewsShardAndTotal(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	v := NewViews(st, "views:%s:%d", 4)
	i := 0
	v.pick = func(n int) int { i++; return i % n }
	for range 10 {
		if err := v.Record(ctx, "q1"); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := v.Total(ctx, "q1"); err != nil || got != 10 {
		t.Fatalf("total %d %v", got, err)
	}
}

func TestDownloads(t *testing.T) {
	ctx := context.Background()
	d := NewDownloads(memstore.New(), "dl/%s")
	for range 3 {
		if _, err := d.Inc(ctx, "a1"); err != nil {
			t.Fatal(err)
		}
	}
	if n, _ := d.Count(ctx, "a1"); n != 3 {
		t.Fatalf("n = %d", n)
	}
}

func TestBoard(t *testing.T) {
	ctx := context.Background()
	b := NewBoard(memstore.New(), "board/%s", 2)
	for _, e := range []Entry{{Key: "a", Value: 1}, {Key: "b", Value: 5}, {Key: "c", Value: 3}, {Key: "a", Value: 9}} {
		if _, err := b.Submit(ctx, "q1", e); err != nil {
			t.Fatal(err)
		}
	}
	top, _ := b.Top(ctx, "q1")
	if len(top) != 2 || top[0].Key != "a" || top[1].Key != "b" {
		t.Fatalf("top = %v", top)
	}
}
