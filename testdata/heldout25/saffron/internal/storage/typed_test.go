package storage_test

import (
	"context"
	"testing"
	"time"

	"example.com/saffron/internal/config"
	"example.com/saffron/internal/storage"
	"example.com/saffron/internal/storage/memstore"
)

type venueKey string

func TestTypedRoundTrip(t *testing.T) {
	s := storage.NewTyped[venueKey, int](memstore.New(), storage.IntCodec{})
	ctx := context.Background()
	if _, err := s.Get(ctx, "missing"); !storage.IsNotFound(err) {
		t.Fatalf("want not found, got %v", err)
	}
	if err := s.Put(ctx, "v", 7, storage.WithTTL(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Get(ctx, "v"); err != nil || n != 7 {
		t.Fatalf("got %d, %v", n, err)
	}
}

func TestBatchFlushDedupes(t *testing.T) {
	var b storage.Batch
	b = b.Add("a", []byte("1"), time.Second).Add("a", []byte("2"), 0).Add("b", []byte("3"), 0)
	if got := len(b.Dedupe()); got != 2 {
		t.Fatalf("dedupe kept %d", got)
	}
	if err := b.Flush(context.Background(), memstore.New()); err != nil {
		t.Fatal(err)
	}
}

func TestDefaultsMerge(t *testing.T) {
	c := config.Config{}.WithDefaults()
	if c.Cache.Menu.TTL == 0 || c.Limits.Login.Max == 0 {
		t.Fatal("defaults not applied")
	}
}
