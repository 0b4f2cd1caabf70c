package cache

import (
	"testing"
	"time"
)

func TestEvictionAndExpiry(t *testing.T) {
	c := New[string, int](2, time.Minute)
	now := time.Now()
	c.now = func() time.Time { return now }
	c.Set("a", 1)
	c.Set("b", 2)
	c.Get("a")
	c.Set("c", 3)
	if _, ok := c.Get("b"); ok {
		t.Error("least recently used entry kept")
	}
	now = now.Add(2 * time.Minute)
	if _, ok := c.Get("a"); ok {
		t.Error("expired entry served")
	}
}
