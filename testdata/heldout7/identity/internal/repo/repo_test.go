package repo_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/identity/internal/repo"
	"example.com/identity/internal/store"
	"example.com/identity/internal/store/memstore"
)

type widget struct {
	Name  string `json:"name"`
	Color string `json:"color"`
}

func TestRepoRoundTrip(t *testing.T) {
	ctx := context.Background()
	r := repo.New[widget](memstore.New(), "w:", repo.TTL(time.Hour))
	if _, err := r.Get(ctx, "a"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("want ErrNotFound, got %v", err)
	}
	if err := r.Save(ctx, "a", widget{Name: "a", Color: "red"}); err != nil {
		t.Fatal(err)
	}
	if err := r.Update(ctx, "a", func(w *widget) error { w.Color = "blue"; return nil }); err != nil {
		t.Fatal(err)
	}
	got, err := r.Get(ctx, "a")
	if err != nil || got.Color != "blue" {
		t.Fatalf("got %+v, %v", got, err)
	}
	for _, id := range []string{"b", "c"} {
		if err := r.Save(ctx, id, widget{Name: id}); err != nil {
			t.Fatal(err)
		}
	}
	all, err := r.Values(ctx)
	if err != nil || len(all) != 3 {
		t.Fatalf("Values = %d, %v", len(all), err)
	}
}
