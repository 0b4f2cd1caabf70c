package ratelimit

import (
	"context"
	"testing"
	"time"

	"example.com/billing/internal/clock"
	"example.com/billing/internal/kvstore/kvtest"
)

func TestBucketRefills(t *testing.T) {
	clk := clock.NewManual(time.Unix(1_700_000_000, 0))
	mem := kvtest.New()
	mem.Now = clk.Now
	l := New(mem, clk, WithRate(1), WithBurst(2))
	ctx := context.Background()

	for i, want := range []bool{true, true, false} {
		got, err := l.Allow(ctx, "key")
		if err != nil || got != want {
			t.Fatalf("call %d: got %v, %v; want %v", i, got, err, want)
		}
	}
	clk.Advance(time.Second)
	if ok, _ := l.Allow(ctx, "key"); !ok {
		t.Fatal("bucket did not refill")
	}
}
