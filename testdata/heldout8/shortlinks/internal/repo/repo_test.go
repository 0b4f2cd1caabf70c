package repo_test

import (
	"context"
	"errors"
	"testing"

	"example.com/shortlinks/internal/repo"
	"example.com/shortlinks/internal/store"
	"example.com/shortlinks/internal/store/memstore"
)

type widget struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

func TestRepoRoundTrip(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	r := repo.New[widget](st, "w:")
	if _, err := r.Get(ctx, "a"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get on empty repo: %v", err)
	}
	if err := r.Save(ctx, "a", widget{Name: "alpha"}); err != nil {
		t.Fatal(err)
	}
	got, err := r.Get(ctx, "a")
	if err != nil || got.Name != "alpha" {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	if err := r.Update(ctx, "a", func(w *widget) error { w.Count = 3; return nil }); err != nil {
		t.Fatal(err)
	}
	if got, _ := r.Get(ctx, "a"); got.Count != 3 {
		t.Fatalf("Update not applied: %+v", got)
	}
}

func TestRepoPage(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	r := repo.New[widget](st, "w:")
	for _, id := range []string{"a", "b", "c"} {
		_ = r.Save(ctx, id, widget{Name: id})
	}
	_ = st.Put(ctx, "other:x", "{}")
	ids, next, err := r.Page(ctx, "", 2)
	if err != nil || len(ids) != 2 || next == "" {
		t.Fatalf("first page = %v %q %v", ids, next, err)
	}
	ids, next, err = r.Page(ctx, next, 2)
	if err != nil || len(ids) != 1 || ids[0] != "c" || next != "" {
		t.Fatalf("second page = %v %q %v", ids, next, err)
	}
}
