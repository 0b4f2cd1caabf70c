package unread

import (
	"context"
	"sync"
	"testing"
)

func mapOps() Ops {
	var mu sync.Mutex
	m := map[string]string{}
	return Ops{
		Get: func(_ context.Context, k string) (string, bool, error) {
			mu.Lock()
			defer mu.Unlock()
			v, ok := m[k]
			return v, ok, nil
		},
		Put: func(_ context.Context, k, v string, _ int) error {
			mu.Lock()
			defer mu.Unlock()
			m[k] = v
			return nil
		},
		Delete: func(_ context.Context, k string) error {
			mu.Lock()
			defer mu.Unlock()
			delete(m, k)
			return nil
		},
	}
}

func TestCounts(t *testing.T) {
	ctx := context.Background()
	c, err := New(mapOps())
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if err := c.Increment(ctx, "u", "ws", "general", 1); err != nil {
			t.Fatal(err)
		}
	}
	_ = c.Increment(ctx, "u", "ws", "random", 2)
	if n, _ := c.Badge(ctx, "u", "ws", []string{"general", "random"}); n != 5 {
		t.Fatalf("badge = %d, want 5", n)
	}
	if err := c.MarkAllRead(ctx, "u", "ws", []string{"general", "random"}); err != nil {
		t.Fatal(err)
	}
	if n, _ := c.Count(ctx, "u", "ws", "general"); n != 0 {
		t.Fatalf("after mark read: %d", n)
	}
}

func TestNewRequiresOps(t *testing.T) {
	if _, err := New(Ops{}); err != ErrNotWired {
		t.Fatalf("got %v", err)
	}
}
