package repo_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/billing/internal/repo"
	"example.com/billing/internal/storage"
	"example.com/billing/internal/storage/memstore"
)

type widget struct {
	Name  string
	Color string
}

func TestRepoRoundTrip(t *testing.T) {
	ctx := context.Background()
	store := memstore.New()
	r := repo.New[widget](store, "w:", repo.WithTTL(time.Hour))
	if _, err := r.Get(ctx, "a"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("empty Get: %v", err)
	}
	if err := r.Put(ctx, "a", widget{Name: "a", Color: "red"}); err != nil {
		t.Fatal(err)
	}
	if err := r.Update(ctx, "a", func(w *widget) error { w.Color = "blue"; return nil }); err != nil {
		t.Fatal(err)
	}
	got, err := r.Get(ctx, "a")
	if err != nil || got.Color != "blue" || got.Name != "a" {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	if store.Writes[0] != "w:a" {
		t.Fatalf("key = %q", store.Writes[0])
	}
}

func TestRepoExpiry(t *testing.T) {
	ctx := context.Background()
	store := memstore.New()
	now := time.Unix(1_700_000_000, 0)
	store.SetClock(func() time.Time { return now })
	r := repo.New[widget](store, "w:")
	if err := r.PutFor(ctx, "b", widget{Name: "b"}, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	now = now.Add(3 * time.Minute)
	if _, err := r.Get(ctx, "b"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("expired Get: %v", err)
	}
}
