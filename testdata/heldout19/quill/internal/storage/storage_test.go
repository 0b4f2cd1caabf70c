package storage_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"example.com/quill/internal/storage"
	"example.com/quill/internal/storage/memstore"
)

type counter struct{ N int }

func TestUpdateCreatesAndModifies(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	for i := 0; i < 3; i++ {
		err := storage.Update(ctx, st, "c", storage.PutOptions{}, func(c *counter) error {
			c.N++
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	got, err := storage.GetJSON[counter](ctx, st, "c")
	if err != nil || got.N != 3 {
		t.Fatalf("got %+v, %v", got, err)
	}
}

func TestUpdateSkip(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	err := storage.Update(ctx, st, "k", storage.PutOptions{}, func(*counter) error { return storage.ErrSkip })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Get(ctx, "k"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("expected no write, got %v", err)
	}
}

func TestWalkStopsAtPageBudget(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	for i := 0; i < 2500; i++ {
		_ = st.Put(ctx, fmt.Sprintf("p:%05d", i), []byte("x"), storage.PutOptions{})
	}
	_ = st.Put(ctx, "q:other", []byte("x"), storage.PutOptions{})
	seen := 0
	cursor, err := storage.Walk(ctx, st, "p:", 2, func(storage.KeyInfo) error { seen++; return nil })
	if err != nil {
		t.Fatal(err)
	}
	if seen != 2000 || cursor == "" {
		t.Fatalf("seen %d, cursor %q", seen, cursor)
	}
}

func TestBucketWrite(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	b := storage.NewBucket(st)
	if err := b.Write("greeting").JSON(map[string]string{"hi": "there"}).TTL(time.Hour).Meta("lang", "en").Do(ctx); err != nil {
		t.Fatal(err)
	}
	page, err := st.List(ctx, storage.ListOptions{Prefix: "greet"})
	if err != nil || len(page.Keys) != 1 || page.Keys[0].Metadata["lang"] != "en" || !page.Complete {
		t.Fatalf("page %+v, %v", page, err)
	}
	if err := b.Write(42).Do(ctx); err == nil {
		t.Fatal("expected an error for an int key")
	}
}
