package repo_test

import (
	"context"
	"fmt"
	"testing"

	"example.com/authgw/internal/kvfake"
	"example.com/authgw/internal/repo"
)

type doc struct {
	N    int      `json:"n"`
	Tags []string `json:"tags"`
}

func TestUpdateCreatesAndModifies(t *testing.T) {
	ctx := context.Background()
	r := repo.New[doc](kvfake.New(), "doc:")
	for i := 0; i < 3; i++ {
		if _, err := r.Update(ctx, "a", func(d *doc) error { d.N++; return nil }); err != nil {
			t.Fatal(err)
		}
	}
	got, err := r.Get(ctx, "a")
	if err != nil || got.N != 3 {
		t.Fatalf("got %+v, %v", got, err)
	}
}

func TestUpdateSkip(t *testing.T) {
	ctx := context.Background()
	kv := kvfake.New()
	r := repo.New[doc](kv, "doc:")
	if _, err := r.Update(ctx, "a", func(*doc) error { return repo.ErrSkip }); err != nil {
		t.Fatal(err)
	}
	if len(kv.Writes) != 0 {
		t.Fatalf("expected no writes, got %d", len(kv.Writes))
	}
}

func TestKeysPagesAndCollectCap(t *testing.T) {
	ctx := context.Background()
	kv := kvfake.New()
	for i := 0; i < 25; i++ {
		_ = kv.Put(ctx, fmt.Sprintf("p:%02d", i), nil)
	}
	_ = kv.Put(ctx, "q:other", nil)

	all, truncated, err := repo.Collect(repo.Keys(ctx, kv, "p:", 7), 0)
	if err != nil || truncated || len(all) != 25 {
		t.Fatalf("all: %d %v %v", len(all), truncated, err)
	}
	some, truncated, err := repo.Collect(repo.Keys(ctx, kv, "p:", 7), 10)
	if err != nil || !truncated || len(some) != 10 {
		t.Fatalf("capped: %d %v %v", len(some), truncated, err)
	}
}
