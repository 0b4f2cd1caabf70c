package analytics

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"example.com/atlas/internal/config"
	"example.com/atlas/internal/storage/memstore"
)

func TestFlushMergesIntoDailyRollup(t *testing.T) {
	ctx := context.Background()
	store := memstore.New()
	c := NewCollector(store, config.AnalyticsConfig{FlushInterval: time.Minute, Workers: 2, Instance: "t"}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	day := time.Now().UTC().Format("2006-01-02")

	c.Record("a", "/")
	c.Record("a", "/guide")
	c.Record("b", "/")
	c.flush(ctx)
	c.Record("a", "/")
	c.flush(ctx)

	r, err := c.Summary(ctx, "a", day)
	if err != nil {
		t.Fatal(err)
	}
	if r.Views != 3 || r.Paths["/"] != 2 {
		t.Fatalf("unexpected rollup %+v", r)
	}
	sum, err := c.Rebuild(ctx, "a", []string{"2000-01-01", day})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Views != 3 {
		t.Fatalf("summary views %d", sum.Views)
	}
}
