package memkv

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"example.com/vireo/internal/kvstore"
)

func TestListPagesInOrder(t *testing.T) {
	ctx := context.Background()
	s := New(nil)
	for i := range 25 {
		if err := s.Put(ctx, fmt.Sprintf("flag:%02d", i), nil, kvstore.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	_ = s.Put(ctx, "other", nil, kvstore.WriteOptions{})

	var names []string
	q := kvstore.ListQuery{Prefix: "flag:", Limit: 10}
	for pages := 0; pages < 5; pages++ {
		page, err := s.List(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range page.Keys {
			names = append(names, k.Name)
		}
		if page.Complete {
			break
		}
		q.Cursor = page.Cursor
	}
	if len(names) != 25 || names[0] != "flag:00" || names[24] != "flag:24" {
		t.Fatalf("got %d names: %v", len(names), names)
	}
}

func TestExpiredEntriesAreMisses(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s := New(func() time.Time { return now })
	if err := s.Put(ctx, "magic-link:abc", []byte("x"), kvstore.WriteOptions{TTL: 15 * time.Minute}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "magic-link:abc"); err != nil {
		t.Fatalf("fresh entry: %v", err)
	}
	now = now.Add(16 * time.Minute)
	if _, err := s.Get(ctx, "magic-link:abc"); !errors.Is(err, kvstore.ErrNotFound) {
		t.Fatalf("expired entry: got %v, want ErrNotFound", err)
	}
}
