package ratelimit

import (
	"context"
	"testing"
	"time"

	"example.com/quarry/internal/kvstore/memkv"
)

func TestLimiterRefusesOverLimit(t *testing.T) {
	allow := NewLimiter(memkv.New(), time.Hour, 3)
	ctx := context.Background()
	for i := range 3 {
		ok, err := allow(ctx, "tok")
		if err != nil || !ok {
			t.Fatalf("call %d refused: %v", i, err)
		}
	}
	if ok, _ := allow(ctx, "tok"); ok {
		t.Fatal("fourth call allowed")
	}
	if ok, _ := allow(ctx, "other"); !ok {
		t.Fatal("other caller refused")
	}
}
