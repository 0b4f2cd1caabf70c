package decorate_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"example.com/newsroom/internal/store"
	"example.com/newsroom/internal/store/decorate"
	"example.com/newsroom/internal/store/memstore"
)

func TestStackCountsAndCaches(t *testing.T) {
	ctx := context.Background()
	mem := memstore.New()
	_ = mem.Put(ctx, "article:1", []byte("v1"))

	counts := &decorate.OpCounts{}
	var logs bytes.Buffer
	st := decorate.WithLogging(
		decorate.WithMetrics(
			decorate.WithCache(mem, decorate.CacheFor(time.Minute), decorate.OnlyPrefixes("article:")),
			counts),
		slog.New(slog.NewTextHandler(&logs, nil)))

	for range 3 {
		v, err := st.Get(ctx, "article:1")
		if err != nil || string(v) != "v1" {
			t.Fatalf("Get = %q, %v", v, err)
		}
	}
	if _, err := st.Get(ctx, "article:missing"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("miss err = %v", err)
	}
	if counts.Gets.Load() != 4 || counts.Misses.Load() != 1 {
		t.Fatalf("gets=%d misses=%d", counts.Gets.Load(), counts.Misses.Load())
	}
	if logs.Len() != 0 {
		t.Fatalf("unexpected logs: %s", logs.String())
	}
}
