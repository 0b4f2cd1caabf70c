package memstore

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"example.com/wharf/internal/storage"
)

func TestExpiryAndFloor(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	s := New(func() time.Time { return now })
	ctx := context.Background()
	if err := s.Put(ctx, "k", []byte("v"), storage.PutOptions{TTL: 30 * time.Second}); err == nil {
		t.Fatal("ttl below the floor was accepted")
	}
	if err := s.Put(ctx, "k", []byte("v"), storage.PutOptions{TTL: time.Minute}); err != nil {
		t.Fatal(err)
	}
	now = now.Add(61 * time.Second)
	if _, err := s.Get(ctx, "k"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("expired key: got %v", err)
	}
}

func TestListPagesWithCursor(t *testing.T) {
	s := New(nil)
	ctx := context.Background()
	for i := range 25 {
		_ = s.Put(ctx, fmt.Sprintf("p:%02d", i), nil, storage.PutOptions{})
	}
	_ = s.Put(ctx, "q:00", nil, storage.PutOptions{})
	var got []string
	cursor := ""
	for range 10 {
		page, err := s.List(ctx, storage.ListQuery{Prefix: "p:", Cursor: cursor, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, page.Names()...)
		if page.Complete {
			break
		}
		cursor = page.Cursor
	}
	if len(got) != 25 || got[0] != "p:00" || got[24] != "p:24" {
		t.Fatalf("listed %d keys: %v", len(got), got)
	}
}
