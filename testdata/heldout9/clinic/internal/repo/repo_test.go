package repo

import (
	"context"
	"fmt"
	"testing"

	"example.com/clinic/internal/kvstore/memkv"
)

type patient struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func (p patient) Key() string { return p.ID }

func TestRepoRoundTripAndPaging(t *testing.T) {
	ctx := context.Background()
	r := New[patient](memkv.New(), "patient:")
	for i := range 5 {
		if err := r.Save(ctx, patient{ID: fmt.Sprintf("p%d", i), Name: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := r.Get(ctx, "p3")
	if err != nil || got.ID != "p3" {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	if _, err := r.Get(ctx, "nope"); !IsMissing(err) {
		t.Fatalf("missing: %v", err)
	}
	var all []string
	cursor := ""
	for range 10 {
		ids, next, err := r.Page(ctx, cursor, 2)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, ids...)
		if next == "" {
			break
		}
		cursor = next
	}
	if len(all) != 5 || all[0] != "p0" {
		t.Fatalf("paged ids = %v", all)
	}
}
