package repo

import (
	"context"
	"sort"
	"strings"
	"testing"

	"example.com/ember/internal/kvstore"
)

// pagedStore serves listings two keys at a time to exercise pagination.
type pagedStore struct{ data map[string][]byte }

func (p *pagedStore) Get(_ context.Context, key string) ([]byte, error) {
	if v, ok := p.data[key]; ok {
		return v, nil
	}
	return nil, kvstore.ErrNotFound
}

func (p *pagedStore) Put(_ context.Context, key string, v []byte, _ ...kvstore.PutOption) error {
	p.data[key] = v
	return nil
}

func (p *pagedStore) Delete(_ context.Context, key string) error {
	delete(p.data, key)
	return nil
}

func (p *pagedStore) List(_ context.Context, q kvstore.ListQuery) (kvstore.Page, error) {
	var names []string
	for k := range p.data {
		if strings.HasPrefix(k, q.Prefix) && k > q.Cursor {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	var page kvstore.Page
	for i, n := range names {
		if i == 2 {
			page.Cursor = page.Keys[1].Name
			break
		}
		page.Keys = append(page.Keys, kvstore.KeyInfo{Name: n})
	}
	return page, nil
}

type widget struct{ Name string }

func TestScanStopsAtBudget(t *testing.T) {
	store := &pagedStore{data: map[string][]byte{}}
	r := New[widget](store, Collection{Name: "widgets", Prefix: "w:"})
	ctx := context.Background()
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		if err := r.Save(ctx, id, widget{Name: id}); err != nil {
			t.Fatal(err)
		}
	}
	var seen []string
	more, err := r.Scan(ctx, 2, func(ids []string) error { seen = append(seen, ids...); return nil })
	if err != nil || !more || len(seen) != 4 {
		t.Fatalf("more=%v err=%v seen=%v", more, err, seen)
	}
	w, err := r.Get(ctx, "c")
	if err != nil || w.Name != "c" {
		t.Fatalf("Get = %+v, %v", w, err)
	}
}
