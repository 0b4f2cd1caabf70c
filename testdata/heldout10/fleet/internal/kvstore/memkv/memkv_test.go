package memkv

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/fleet/internal/kvstore"
)

func TestGetMissing(t *testing.T) {
	s := New()
	_, err := s.Get(context.Background(), "nope")
	if !errors.Is(err, kvstore.ErrNotFound) {
		t.Fatalf("want ErrNotFound, got %v", err)
	}
}

func TestListPages(t *testing.T) {
	s := New()
	ctx := context.Background()
	for _, k := range []string{"a:1", "a:2", "a:3", "b:1"} {
		_ = s.Put(ctx, k, []byte("x"), kvstore.WithTTL(time.Hour))
	}
	p, err := s.List(ctx, "a:", "", 2)
	if err != nil || len(p.Entries) != 2 || p.Done() {
		t.Fatalf("first page: %+v %v", p, err)
	}
	p, err = s.List(ctx, "a:", p.Cursor, 2)
	if err != nil || len(p.Entries) != 1 || !p.Done() {
		t.Fatalf("second page: %+v %v", p, err)
	}
}
