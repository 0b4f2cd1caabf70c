package usage

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"example.com/gateway/internal/config"
	"example.com/gateway/internal/store/memstore"
)

func TestFlushAndTotals(t *testing.T) {
	ctx := context.Background()
	cfg := config.Default()
	cfg.ScanPageSize = 2
	a := NewAggregator(memstore.New(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := a.flush(ctx, map[string]int64{"acme": 5, "globex": 2, "initech": 1}); err != nil {
		t.Fatal(err)
	}
	if err := a.flush(ctx, map[string]int64{"acme": 1}); err != nil {
		t.Fatal(err)
	}
	totals, err := a.Totals(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if totals["acme"] != 6 || len(totals) != 3 {
		t.Fatalf("totals = %v", totals)
	}
	tenants, err := a.ActiveTenants(ctx)
	if err != nil || len(tenants) != 3 {
		t.Fatalf("tenants = %v, %v", tenants, err)
	}
	if err := a.RebuildSummary(ctx, tenants); err != nil {
		t.Fatal(err)
	}
	if got := load[Summary](ctx, a.st, "usage:summary"); got.Tenants["globex"] != 2 {
		t.Fatalf("summary = %+v", got)
	}
}
