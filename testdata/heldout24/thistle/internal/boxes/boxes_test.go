package boxes

import (
	"context"
	"testing"
	"time"

	"example.com/thistle/internal/clock"
	"example.com/thistle/internal/memstore"
)

func TestChooseRespectsPlan(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewManual(time.Date(2025, 2, 3, 0, 0, 0, 0, time.UTC))
	cutoff := func(string) time.Time { return clk.Now().Add(72 * time.Hour) }
	svc := New(memstore.New(memstore.WithClock(clk)), clk, cutoff)
	if _, err := svc.Open(ctx, "c1", "2025-W07", PlanTwo); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"a", "b"} {
		if _, err := svc.Choose(ctx, "c1", "2025-W07", id); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.Choose(ctx, "c1", "2025-W07", "c"); err != ErrFull {
		t.Fatalf("err = %v", err)
	}
}

func TestDefaultCutoffIsWednesday(t *testing.T) {
	if got := DefaultCutoff("2025-W07").Weekday(); got != time.Wednesday {
		t.Fatalf("cutoff on %v", got)
	}
}
