package kvstore

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestMemoryExpiry(t *testing.T) {
	m := NewMemory()
	now := time.Unix(1_700_000_000, 0)
	m.SetClock(func() time.Time { return now })
	ctx := context.Background()
	if err := m.Put(ctx, "a", []byte("1"), WithTTL(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Get(ctx, "a"); err != nil {
		t.Fatalf("get before expiry: %v", err)
	}
	now = now.Add(3 * time.Minute)
	if _, err := m.Get(ctx, "a"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("want ErrNotFound after expiry, got %v", err)
	}
}

func TestMemoryListPages(t *testing.T) {
	m := NewMemory()
	ctx := context.Background()
	for _, k := range []string{"p/1", "p/2", "p/3", "q/1"} {
		_ = m.Put(ctx, k, []byte("x"))
	}
	first, _ := m.List(ctx, ListQuery{Prefix: "p/", Limit: 2})
	if len(first.Keys) != 2 || first.Done() {
		t.Fatalf("first page = %+v", first)
	}
	second, _ := m.List(ctx, ListQuery{Prefix: "p/", Cursor: first.Cursor, Limit: 2})
	if len(second.Keys) != 1 || !second.Done() {
		t.Fatalf("second page = %+v", second)
	}
}
