package repo_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"example.com/newsroom/internal/repo"
	"example.com/newsroom/internal/store"
	"example.com/newsroom/internal/store/memstore"
)

type widget struct {
	Name string `json:"name"`
	N    int    `json:"n"`
}

func TestSaveGetDelete(t *testing.T) {
	ctx := context.Background()
	mem := memstore.New()
	r := repo.New[widget](mem, "w:")
	if err := r.Save(ctx, "a", widget{Name: "alpha", N: 1}); err != nil {
		t.Fatal(err)
	}
	got, err := r.Get(ctx, "a")
	if err != nil || got.Name != "alpha" {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	if err := r.Delete(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Get(ctx, "a"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("after delete err = %v", err)
	}
}

func TestTTLExpires(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	mem := memstore.New()
	mem.SetClock(func() time.Time { return now })
	r := repo.New[widget](mem, "w:", repo.WithTTL(time.Hour))
	if err := r.Save(ctx, "a", widget{Name: "alpha"}); err != nil {
		t.Fatal(err)
	}
	now = now.Add(2 * time.Hour)
	if _, err := r.Get(ctx, "a"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("expected expiry, got %v", err)
	}
}

func TestPageAndAll(t *testing.T) {
	ctx := context.Background()
	mem := memstore.New()
	r := repo.New[widget](mem, "w:", repo.WithPageSize(3))
	for i := range 7 {
		if err := r.Save(ctx, fmt.Sprintf("%02d", i), widget{N: i}); err != nil {
			t.Fatal(err)
		}
	}
	ids, cursor, err := r.Page(ctx, "")
	if err != nil || len(ids) != 3 || cursor == "" {
		t.Fatalf("first page = %v %q %v", ids, cursor, err)
	}
	all, err := r.All(ctx)
	if err != nil || len(all) != 7 {
		t.Fatalf("All = %d items, %v", len(all), err)
	}
}
