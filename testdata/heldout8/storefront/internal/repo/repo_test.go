package repo

import (
	"context"
	"errors"
	"testing"

	"example.com/storefront/internal/kvstore"
	"example.com/storefront/internal/kvstore/memkv"
)

type widget struct {
	Name  string `json:"name"`
	Color string `json:"color"`
}

func TestRepoRoundTrip(t *testing.T) {
	ctx := context.Background()
	r := New[widget](memkv.New(), "widget:")
	if _, err := r.Get(ctx, "a"); !errors.Is(err, kvstore.ErrNotFound) {
		t.Fatalf("missing: %v", err)
	}
	for _, id := range []string{"a", "b", "c"} {
		if err := r.Save(ctx, id, widget{Name: id, Color: "red"}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := r.Get(ctx, "b")
	if err != nil || got.Name != "b" {
		t.Fatalf("get b: %+v %v", got, err)
	}
	ids, cursor, err := r.Page(ctx, "", 2)
	if err != nil || len(ids) != 2 || cursor == "" {
		t.Fatalf("page: %v %q %v", ids, cursor, err)
	}
}
