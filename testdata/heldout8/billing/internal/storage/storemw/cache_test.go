package storemw

import (
	"context"
	"testing"
	"time"

	"example.com/billing/internal/storage/memstore"
)

func TestCachedServesFromMemory(t *testing.T) {
	ctx := context.Background()
	inner := memstore.New()
	counters := &Counters{}
	c := WithLocalCache(WithMetrics(inner, counters), time.Minute)
	if err := c.Put(ctx, "plan:pro", []byte("v1")); err != nil {
		t.Fatal(err)
	}
	got1, err1 := c.Get(ctx, "plan:pro")
	got2, err2 := c.Get(ctx, "plan:pro")
	if err1 != nil || err2 != nil || string(got1) != "v1" || string(got2) != "v1" {
		t.Fatalf("Get = %q/%v, %q/%v", got1, err1, got2, err2)
	}
	if n := counters.Gets.Load(); n != 0 {
		t.Fatalf("inner gets = %d, want 0", n)
	}
}

func TestCacheExpires(t *testing.T) {
	c := NewCache[string, int](time.Second)
	now := time.Unix(0, 0)
	c.now = func() time.Time { return now }
	c.Set("a", 1)
	if v, ok := c.Get("a"); !ok || v != 1 {
		t.Fatalf("Get = %d, %v", v, ok)
	}
	now = now.Add(2 * time.Second)
	if _, ok := c.Get("a"); ok {
		t.Fatal("entry survived its ttl")
	}
}
