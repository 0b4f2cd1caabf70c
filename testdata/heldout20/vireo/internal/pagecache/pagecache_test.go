package pagecache

import (
	"context"
	"testing"
	"time"

	"example.com/vireo/internal/kvstore/memkv"
)

func TestPageRendersOnceThenServesFromStore(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	store := memkv.New(clock)
	renders := 0
	render := func(context.Context, string) ([]byte, error) {
		renders++
		return []byte("<h1>Riverside cycle lanes</h1>"), nil
	}

	first := New(store, 10*time.Minute, clock)
	if _, err := first.Page(ctx, "riverside-cycle-lanes", render); err != nil {
		t.Fatal(err)
	}
	second := New(store, 10*time.Minute, clock)
	html, err := second.Page(ctx, "riverside-cycle-lanes", render)
	if err != nil {
		t.Fatal(err)
	}
	if renders != 1 {
		t.Fatalf("rendered %d times, want 1", renders)
	}
	if string(html) != "<h1>Riverside cycle lanes</h1>" {
		t.Fatalf("unexpected page %q", html)
	}
}
