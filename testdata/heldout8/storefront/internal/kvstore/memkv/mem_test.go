package memkv

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"example.com/storefront/internal/kvstore"
)

func TestListPaginates(t *testing.T) {
	ctx := context.Background()
	var s kvstore.Store = New()
	for i := range 25 {
		if err := s.Put(ctx, fmt.Sprintf("p:%02d", i), []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	_ = s.Put(ctx, "other", []byte("y"))

	var names []string
	cursor := ""
	for pages := 0; pages < 10; pages++ {
		p, err := s.List(ctx, "p:", cursor, 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range p.Keys {
			names = append(names, k.Name)
		}
		if p.Complete {
			break
		}
		cursor = p.Cursor
	}
	if len(names) != 25 || names[0] != "p:00" || names[24] != "p:24" {
		t.Fatalf("got %d names: %v", len(names), names)
	}
}

func TestExpiry(t *testing.T) {
	ctx := context.Background()
	s := New()
	now := time.Unix(1_700_000_000, 0)
	s.now = func() time.Time { return now }
	_ = s.Put(ctx, "k", []byte("v"), kvstore.WithTTL(time.Hour))
	if _, err := s.Get(ctx, "k"); err != nil {
		t.Fatalf("fresh key: %v", err)
	}
	now = now.Add(2 * time.Hour)
	if _, err := s.Get(ctx, "k"); !errors.Is(err, kvstore.ErrNotFound) {
		t.Fatalf("expired key: %v", err)
	}
}
