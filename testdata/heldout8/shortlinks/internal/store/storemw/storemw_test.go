package storemw

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"example.com/shortlinks/internal/store"
	"example.com/shortlinks/internal/store/memstore"
)

type failing struct{ store.Store }

func (failing) Get(context.Context, string) (string, bool, error) {
	return "", false, errors.New("boom")
}

func TestLoggingReportsErrors(t *testing.T) {
	var buf bytes.Buffer
	s := Logging(failing{memstore.New()}, slog.New(slog.NewTextHandler(&buf, nil)), time.Second)
	if _, _, err := s.Get(context.Background(), "k"); err == nil {
		t.Fatal("error swallowed")
	}
	if !bytes.Contains(buf.Bytes(), []byte("store op failed")) {
		t.Fatalf("log = %q", buf.String())
	}
}

func TestMetricsFlush(t *testing.T) {
	ctx := context.Background()
	inner := memstore.New()
	m := NewMetrics(inner)
	_, _, _ = m.Get(ctx, "a")
	_, _, _ = m.Get(ctx, "b")
	_ = m.Put(ctx, "a", "1")
	if err := m.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	_, _, _ = m.Get(ctx, "a")
	if err := m.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if v, _, _ := inner.Get(ctx, "metrics:ops:get"); v != "3" {
		t.Fatalf("get total = %q", v)
	}
}

func TestCachedServesLocalCopy(t *testing.T) {
	ctx := context.Background()
	inner := memstore.New()
	c := NewCached(inner, 10, time.Minute)
	_ = c.Put(ctx, "k", "v1")
	_ = inner.Put(ctx, "k", "v2")
	if v, _, _ := c.Get(ctx, "k"); v != "v1" {
		t.Fatalf("got %q, want local copy", v)
	}
	_ = c.Delete(ctx, "k")
	if _, ok, _ := c.Get(ctx, "k"); ok {
		t.Fatal("deleted key still cached")
	}
}
