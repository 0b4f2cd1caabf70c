package memkv

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"example.com/lattice/internal/platform/kvstore"
)

func TestListFollowsCursorWithPrefix(t *testing.T) {
	ctx := context.Background()
	s := New()
	for i := range 25 {
		if err := s.Put(ctx, fmt.Sprintf("paper:X-%02d", i), []byte("v")); err != nil {
			t.Fatal(err)
		}
	}
	_ = s.Put(ctx, "other:1", []byte("v"))

	q := kvstore.ListQuery{}.WithPrefix("paper:").WithLimit(10)
	var names []string
	for range 5 {
		page, err := s.List(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, page.Names()...)
		if page.Complete() {
			break
		}
		q = q.WithCursor(page.Cursor)
	}
	if len(names) != 25 {
		t.Fatalf("got %d names, want 25", len(names))
	}
}

func TestExpiry(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s := New()
	s.now = func() time.Time { return now }
	if err := s.Put(ctx, "session:a", []byte("x"), kvstore.TTL(time.Hour)); err != nil {
		t.Fatal(err)
	}
	now = now.Add(2 * time.Hour)
	if _, err := s.Get(ctx, "session:a"); !errors.Is(err, kvstore.ErrNotFound) {
		t.Fatalf("want ErrNotFound after expiry, got %v", err)
	}
}
