package cache

import (
	"testing"
	"time"
)

func TestExpiry(t *testing.T) {
	c := New[string, int](time.Minute, 2)
	base := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	c.now = func() time.Time { return base }
	c.Set("a", 1)
	if v, ok := c.Get("a"); !ok || v != 1 {
		t.Fatalf("Get(a) = %v, %v", v, ok)
	}
	c.now = func() time.Time { return base.Add(2 * time.Minute) }
	if _, ok := c.Get("a"); ok {
		t.Fatal("entry should have expired")
	}
}

func TestEvictsWhenFull(t *testing.T) {
	c := New[int, int](time.Hour, 2)
	c.Set(1, 1)
	c.Set(2, 2)
	c.Set(3, 3)
	if len(c.items) != 2 {
		t.Fatalf("len = %d, want 2", len(c.items))
	}
}
