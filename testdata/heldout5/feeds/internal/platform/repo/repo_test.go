package repo_test

import (
	"context"
	"testing"
	"time"

	"example.com/feeds/internal/adapters/memkv"
	"example.com/feeds/internal/kv"
	"example.com/feeds/internal/platform/repo"
)

type thing struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

func TestRepositoryRoundTrip(t *testing.T) {
	ctx := context.Background()
	store := memkv.New()
	now := time.Unix(1_700_000_000, 0)
	store.SetClock(func() time.Time { return now })
	r := repo.New[thing](store, "thing:", repo.WithTTL(time.Hour))

	if _, ok, err := r.Get(ctx, "a"); err != nil || ok {
		t.Fatalf("Get on empty store = %v, %v", ok, err)
	}
	if err := r.Put(ctx, "a", thing{Name: "a"}); err != nil {
		t.Fatal(err)
	}
	if err := r.Update(ctx, "a", func(v *thing) error { v.Count = 3; return nil }); err != nil {
		t.Fatal(err)
	}
	got, ok, err := r.Get(ctx, "a")
	if err != nil || !ok || got.Count != 3 {
		t.Fatalf("Get = %+v, %v, %v", got, ok, err)
	}

	now = now.Add(2 * time.Hour)
	if _, ok, _ := r.Get(ctx, "a"); ok {
		t.Fatal("value should have expired")
	}
}

func TestRepositoryPage(t *testing.T) {
	ctx := context.Background()
	store := memkv.New()
	store.PageSize = 2
	r := repo.New[thing](store, "thing:")
	for _, id := range []string{"a", "b", "c"} {
		_ = r.Put(ctx, id, thing{Name: id})
	}
	_ = store.Put(ctx, "other:x", []byte(`{}`), kv.PutOptions{})

	ids, cursor, err := r.Page(ctx, "", 0)
	if err != nil || len(ids) != 2 || cursor == "" {
		t.Fatalf("first page = %v %q %v", ids, cursor, err)
	}
	ids, cursor, err = r.Page(ctx, cursor, 0)
	if err != nil || len(ids) != 1 || ids[0] != "c" || cursor != "" {
		t.Fatalf("second page = %v %q %v", ids, cursor, err)
	}
}
