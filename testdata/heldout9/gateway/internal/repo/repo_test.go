package repo_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"example.com/gateway/internal/repo"
	"example.com/gateway/internal/store"
	"example.com/gateway/internal/store/memstore"
)

type widget struct {
	ID   string `json:"id"`
	Size int    `json:"size"`
}

func (w widget) Key() string { return w.ID }

func TestRepoRoundTripAndPaging(t *testing.T) {
	ctx := context.Background()
	r := repo.New[widget](memstore.New(), "w:")
	for i := range 25 {
		if err := r.Save(ctx, widget{ID: fmt.Sprintf("%02d", i), Size: i}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := r.Get(ctx, "07")
	if err != nil || got.Size != 7 {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	if _, err := r.Get(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing: %v", err)
	}
	var all []string
	cursor := ""
	for pages := 0; pages < 10; pages++ {
		ids, next, err := r.IDs(ctx, cursor, 10)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, ids...)
		if next == "" {
			break
		}
		cursor = next
	}
	if len(all) != 25 {
		t.Fatalf("paged %d ids, want 25", len(all))
	}
}
