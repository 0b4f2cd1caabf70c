package memstore

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"example.com/quarry/internal/storage"
)

func TestListPagesAndIterator(t *testing.T) {
	ctx := context.Background()
	s := New()
	for i := 0; i < 1203; i++ {
		_ = s.Put(ctx, fmt.Sprintf("k/%05d", i), []byte("v"), storage.PutOptions{})
	}
	_ = s.Put(ctx, "other", []byte("v"), storage.PutOptions{})
	keys, errc := storage.Keys(ctx, s, "k/", 10)
	n := 0
	for range keys {
		n++
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if n != 1203 {
		t.Fatalf("n = %d", n)
	}

	keys, errc = storage.Keys(ctx, s, "k/", 1)
	for range keys {
	}
	if err := <-errc; !errors.Is(err, storage.ErrBudget) {
		t.Fatalf("want ErrBudget, got %v", err)
	}
}

func TestExpiry(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_700_000_000, 0)
	s := New()
	s.SetClock(func() time.Time { return now })
	_ = s.Put(ctx, "a", []byte("1"), storage.PutOptions{TTL: time.Minute})
	now = now.Add(2 * time.Minute)
	if _, err := s.Get(ctx, "a"); !storage.IsNotFound(err) {
		t.Fatalf("want not found, got %v", err)
	}
	var nf *storage.NotFoundError
	_, err := s.Get(ctx, "b")
	if !errors.As(err, &nf) || nf.Key != "b" {
		t.Fatalf("want NotFoundError{b}, got %v", err)
	}
}
