package ratelimit

import (
	"context"
	"testing"
	"time"

	"example.com/thistle/internal/clock"
	"example.com/thistle/internal/memstore"
)

func TestGate(t *testing.T) {
	clk := clock.NewManual(time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC))
	g := NewGate(memstore.New(memstore.WithClock(clk)), clk, 2, time.Hour)
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		if err := g.Allow(ctx, "1.2.3.4"); err != nil {
			t.Fatal(err)
		}
	}
	if err := g(ctx, "1.2.3.4"); err != ErrLimited {
		t.Fatalf("third: %v", err)
	}
}

func TestLocal(t *testing.T) {
	clk := clock.NewManual(time.Unix(0, 0))
	g := NewLocal(clk, 1, time.Second)
	if g(context.Background(), "a") != nil || g(context.Background(), "a") != ErrLimited {
		t.Fatal("bucket did not empty")
	}
}
