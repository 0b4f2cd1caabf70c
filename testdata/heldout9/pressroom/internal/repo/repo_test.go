package repo_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/pressroom/internal/repo"
	"example.com/pressroom/internal/store"
	"example.com/pressroom/internal/store/memstore"
)

type note struct {
	ID   string `json:"id"`
	Body string `json:"body"`
}

func (n note) Key() string { return n.ID }

func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	r := repo.New[note](memstore.New(), "note:", repo.WithTTL(time.Hour))
	if err := r.Save(ctx, note{ID: "a", Body: "hello"}); err != nil {
		t.Fatal(err)
	}
	got, err := r.Get(ctx, "a")
	if err != nil || got.Body != "hello" {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	if _, err := r.Get(ctx, "missing"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("want ErrNotFound, got %v", err)
	}
}

func TestPaging(t *testing.T) {
	ctx := context.Background()
	r := repo.New[note](memstore.New(), "note:")
	for _, id := range []string{"a", "b", "c"} {
		_ = r.Save(ctx, note{ID: id})
	}
	ids, next, err := r.Page(ctx, "", 2)
	if err != nil || len(ids) != 2 || next == "" {
		t.Fatalf("first page = %v %q %v", ids, next, err)
	}
	ids, next, _ = r.Page(ctx, next, 2)
	if len(ids) != 1 || next != "" {
		t.Fatalf("second page = %v %q", ids, next)
	}
}
