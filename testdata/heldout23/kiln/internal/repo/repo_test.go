package repo_test

import (
	"context"
	"errors"
	"testing"

	"example.com/kiln/internal/kvstore"
	"example.com/kiln/internal/kvstore/memkv"
	"example.com/kiln/internal/repo"
)

type mug struct {
	Glaze string `json:"glaze"`
}

type mugRepo struct{ *repo.Base[mug] }

func TestSaveLoad(t *testing.T) {
	ctx := context.Background()
	r := mugRepo{repo.NewBase[mug](kvstore.Open(memkv.New()), "mug:")}
	if err := r.Save(ctx, "1", &mug{Glaze: "celadon"}); err != nil {
		t.Fatal(err)
	}
	got, err := r.Load(ctx, "1")
	if err != nil || got.Glaze != "celadon" {
		t.Fatalf("load = %+v, %v", got, err)
	}
	if _, err := r.Load(ctx, "2"); !errors.Is(err, repo.ErrNotFound) {
		t.Fatalf("missing record: %v", err)
	}
}

func TestScanHonoursLimit(t *testing.T) {
	ctx := context.Background()
	r := mugRepo{repo.NewBase[mug](kvstore.Open(memkv.New()), "mug:")}
	for _, id := range []string{"a", "b", "c"} {
		if err := r.Save(ctx, id, &mug{Glaze: id}); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for _, err := range r.Scan(ctx, 2) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 2 {
		t.Fatalf("scanned %d, want 2", n)
	}
}
