package reconcile

import (
	"context"
	"slices"
	"sort"
	"testing"
	"time"

	"example.com/feeds/internal/adapters/memkv"
	"example.com/feeds/internal/kv"
	"example.com/feeds/internal/source"
)

type fakeDB struct{ rows []source.Article }

func (f *fakeDB) Get(_ context.Context, id string) (source.Article, error) {
	for _, a := range f.rows {
		if a.ID == id {
			return a, nil
		}
	}
	return source.Article{}, source.ErrNotFound
}
func (f *fakeDB) Upsert(context.Context, source.Article) error { return nil }
func (f *fakeDB) ListAfter(_ context.Context, after string, limit int) ([]source.Article, error) {
	sort.Slice(f.rows, func(i, j int) bool { return f.rows[i].ID < f.rows[j].ID })
	i, _ := slices.BinarySearchFunc(f.rows, after, func(a source.Article, id string) int {
		if a.ID <= id {
			return -1
		}
		return 1
	})
	return f.rows[i:min(i+limit, len(f.rows))], nil
}
func (f *fakeDB) LatestInSection(context.Context, string, int) ([]source.Article, error) {
	return nil, nil
}
func (f *fakeDB) MostViewed(context.Context, time.Time, int) ([]source.Article, error) {
	return nil, nil
}

func TestRunRepairsDrift(t *testing.T) {
	ctx := context.Background()
	store := memkv.New()
	db := &fakeDB{rows: []source.Article{{ID: "a", Slug: "a"}, {ID: "b", Slug: "b"}}}
	_ = store.Put(ctx, "article:a", []byte(`{}`), kv.PutOptions{})
	_ = store.Put(ctx, "article:zombie", []byte(`{}`), kv.PutOptions{})

	rep, err := New(store, db, WithBatch(1)).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Republished != 1 || rep.Removed != 1 || rep.Checked != 2 {
		t.Fatalf("report = %+v", rep)
	}
	if _, err := store.Get(ctx, "article:b"); err != nil {
		t.Fatalf("article:b not republished: %v", err)
	}
}
