package quota_test

import (
	"context"
	"testing"
	"time"

	"example.com/shrike/internal/kvop"
	"example.com/shrike/internal/quota"
)

func TestMemoryWindow(t *testing.T) {
	now := time.Date(2025, 5, 1, 12, 0, 0, 0, time.UTC)
	lim := quota.NewMemory(2, time.Minute, func() time.Time { return now })
	ctx := context.Background()
	for i, want := range []bool{true, true, false} {
		if got, _ := lim.Allow(ctx, "r1"); got != want {
			t.Fatalf("call %d: %v", i, got)
		}
	}
	now = now.Add(time.Minute)
	if got, _ := lim.Allow(ctx, "r1"); !got {
		t.Fatal("new window should allow")
	}
}

func TestKVLimiterUsesStore(t *testing.T) {
	data := map[string][]byte{}
	exec := func(_ context.Context, op kvop.Op) (kvop.Result, error) {
		switch op.Kind {
		case kvop.Get:
			v, ok := data[op.Key]
			return kvop.Result{Value: v, Found: ok}, nil
		case kvop.Put:
			data[op.Key] = op.Value
		}
		return kvop.Result{}, nil
	}
	var lim quota.Limiter = quota.NewKV(exec, "rl", 1, time.Minute)
	ctx := context.Background()
	if ok, err := lim.Allow(ctx, "x"); !ok || err != nil {
		t.Fatalf("first: %v %v", ok, err)
	}
	if ok, _ := lim.Allow(ctx, "x"); ok {
		t.Fatal("second call should be refused")
	}
}
