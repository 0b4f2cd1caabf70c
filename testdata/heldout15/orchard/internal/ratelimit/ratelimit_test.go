package ratelimit

import (
	"context"
	"testing"
	"time"

	"example.com/orchard/internal/config"
	"example.com/orchard/internal/kvstore/memkv"
)

func TestTakeUntilLimited(t *testing.T) {
	ctx := context.Background()
	cfg, _ := config.Parse([]byte(`{}`))
	l := New(memkv.New(), cfg.Keys, config.RateLimit{Capacity: 3, RefillPerSec: 0.1})
	now := time.Unix(1_700_000_000, 0)
	l.now = func() time.Time { return now }
	for i := 0; i < 3; i++ {
		if err := l.Take(ctx, "acct-1"); err != nil {
			t.Fatalf("take %d: %v", i, err)
		}
	}
	err := l.Take(ctx, "acct-1")
	le, ok := IsLimited(err)
	if !ok {
		t.Fatalf("want LimitedError, got %v", err)
	}
	if le.RetryAfter != 10*time.Second {
		t.Fatalf("retry after %v", le.RetryAfter)
	}
	now = now.Add(20 * time.Second)
	if rem, _ := l.Remaining(ctx, "acct-1"); rem < 1.99 || rem > 2.01 {
		t.Fatalf("remaining %v", rem)
	}
}
