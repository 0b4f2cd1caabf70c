package repo_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"example.com/fleet/internal/repo"
	"example.com/fleet/internal/store"
	"example.com/fleet/internal/store/memstore"
)

type widget struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

func TestSaveGetUpdate(t *testing.T) {
	ctx := context.Background()
	s := memstore.New()
	r := repo.New[widget](s, "w:", repo.WithTTL(time.Hour))

	if _, err := r.Get(ctx, "a"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get on empty repo: %v", err)
	}
	if err := r.Save(ctx, "a", widget{Name: "alpha"}); err != nil {
		t.Fatal(err)
	}
	if err := r.Update(ctx, "a", func(w *widget) error { w.Count = 3; return nil }); err != nil {
		t.Fatal(err)
	}
	got, err := r.Get(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	if got != (widget{Name: "alpha", Count: 3}) {
		t.Fatalf("got %+v", got)
	}
}

func TestPaging(t *testing.T) {
	ctx := context.Background()
	s := memstore.New()
	r := repo.New[widget](s, "w:", repo.WithPageSize(2))
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		if err := r.Save(ctx, id, widget{Name: id}); err != nil {
			t.Fatal(err)
		}
	}
	_ = s.Put(ctx, "other:x", []byte("{}"))

	var all []string
	cursor := ""
	for range 10 {
		ids, next, err := r.Page(ctx, cursor)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, ids...)
		if next == "" {
			break
		}
		cursor = next
	}
	if want := []string{"a", "b", "c", "d", "e"}; !slices.Equal(all, want) {
		t.Fatalf("paged ids = %v, want %v", all, want)
	}
	ids, err := r.IDs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 5 {
		t.Fatalf("IDs = %v", ids)
	}
}
