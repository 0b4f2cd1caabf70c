package memstore

import (
	"context"
	"fmt"
	"testing"
	"time"

	"example.com/plover/internal/backend/store"
)

func TestListPaginates(t *testing.T) {
	ctx := context.Background()
	ns := New().Namespace("league").Prefixed("player:")
	for i := range 2500 {
		if err := ns.Put(ctx, fmt.Sprintf("%05d", i), []byte("x"), nil); err != nil {
			t.Fatal(err)
		}
	}
	seen, cursor := 0, ""
	for pages := 0; pages < 10; pages++ {
		page, err := ns.List(ctx, "", cursor, 1000)
		if err != nil {
			t.Fatal(err)
		}
		seen += len(page.Entries)
		if page.Complete() {
			break
		}
		cursor = page.Cursor
	}
	if seen != 2500 {
		t.Fatalf("saw %d keys, want 2500", seen)
	}
}

func TestExpiry(t *testing.T) {
	s := New()
	now := time.Unix(1_700_000_000, 0)
	s.now = func() time.Time { return now }
	ns := s.Namespace("x")
	ctx := context.Background()
	if err := ns.Put(ctx, "k", []byte("v"), &store.PutOpts{TTL: time.Minute}); err != nil {
		t.Fatal(err)
	}
	now = now.Add(2 * time.Minute)
	if _, err := ns.Get(ctx, "k"); !store.IsNotFound(err) {
		t.Fatalf("expired key: err = %v", err)
	}
}
