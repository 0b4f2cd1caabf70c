package storemw_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"example.com/fleet/internal/store/memstore"
	"example.com/fleet/internal/store/storemw"
)

func TestDecoratorsCompose(t *testing.T) {
	ctx := context.Background()
	base := memstore.New()
	var c storemw.Counters
	s := storemw.Cached(storemw.Logging(storemw.Metrics(base, &c), slog.New(slog.NewTextHandler(io.Discard, nil))), time.Minute)

	if err := s.Put(ctx, "k", []byte("v1")); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if v, err := s.Get(ctx, "k"); err != nil || string(v) != "v1" {
			t.Fatalf("Get = %q, %v", v, err)
		}
	}
	if got := c.Reads.Load(); got != 1 {
		t.Fatalf("reads reaching the store = %d, want 1 (cached)", got)
	}
	if err := s.Put(ctx, "k", []byte("v2")); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.Get(ctx, "k"); string(v) != "v2" {
		t.Fatalf("stale read after write: %q", v)
	}
	if _, err := s.Get(ctx, "missing"); err == nil {
		t.Fatal("expected not found")
	}
	if c.Errors.Load() != 0 {
		t.Fatalf("not-found counted as error")
	}
}
