package cache_test

import (
	"context"
	"testing"
	"time"

	"example.com/authgw/internal/cache"
	"example.com/authgw/internal/kvfake"
)

func TestReadThroughLoadsOnce(t *testing.T) {
	ctx := context.Background()
	kv := kvfake.New()
	c := cache.New[map[string]bool](kv, cache.WithPrefix("t:"), cache.WithTTL(5*time.Minute))
	calls := 0
	load := func(context.Context) (map[string]bool, error) {
		calls++
		return map[string]bool{"beta": true}, nil
	}
	for i := 0; i < 3; i++ {
		v, err := c.Get(ctx, "acme", load)
		if err != nil || !v["beta"] {
			t.Fatalf("get: %v %v", v, err)
		}
	}
	if calls != 1 {
		t.Fatalf("loader called %d times", calls)
	}
	if got := kv.Writes[0].Opts.TTL; got != 5*time.Minute {
		t.Fatalf("ttl %v", got)
	}
	if err := c.Invalidate(ctx, "acme"); err != nil {
		t.Fatal(err)
	}
	_, _ = c.Get(ctx, "acme", load)
	if calls != 2 {
		t.Fatalf("loader not called after invalidate")
	}
}

func TestLocalMemoExpires(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_700_000_000, 0)
	kv := kvfake.New()
	kv.Now = func() time.Time { return now }
	c := cache.New[int](kv, cache.WithLocalTTL(time.Second), cache.WithClock(func() time.Time { return now }))
	n := 0
	load := func(context.Context) (int, error) { n++; return n, nil }
	v1, _ := c.Get(ctx, "k", load)
	_ = kv.Delete(ctx, "k")
	v2, _ := c.Get(ctx, "k", load) // served from memo
	now = now.Add(2 * time.Second)
	v3, _ := c.Get(ctx, "k", load)
	if v1 != 1 || v2 != 1 || v3 != 2 {
		t.Fatalf("got %d %d %d", v1, v2, v3)
	}
}
