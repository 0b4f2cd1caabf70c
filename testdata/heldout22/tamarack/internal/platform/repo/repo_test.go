package repo

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"example.com/tamarack/internal/platform/store"
)

// fakeStore is a map-backed store.Store that records the TTLs it was given.
type fakeStore struct {
	mu   sync.Mutex
	data map[string]string
	ttls map[string]time.Duration
}

func newFakeStore() *fakeStore {
	return &fakeStore{data: map[string]string{}, ttls: map[string]time.Duration{}}
}

func (f *fakeStore) Get(_ context.Context, key string, _ ...store.GetOption) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.data[key]
	if !ok {
		return "", store.ErrNotFound
	}
	return v, nil
}

func (f *fakeStore) Put(_ context.Context, key, value string, opts ...store.PutOption) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.data[key] = value
	f.ttls[key] = store.ApplyPut(opts).TTL
	return nil
}

func (f *fakeStore) Delete(_ context.Context, key string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.data, key)
	return nil
}

func (f *fakeStore) List(_ context.Context, opts store.ListOptions) (store.Page, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var page store.Page
	for k := range f.data {
		if strings.HasPrefix(k, opts.Prefix) {
			page.Keys = append(page.Keys, store.Key{Name: k})
		}
	}
	slices.SortFunc(page.Keys, func(a, b store.Key) int { return strings.Compare(a.Name, b.Name) })
	page.Complete = true
	return page, nil
}

type item struct {
	Name  string
	Count int
}

func TestSaveFindUpdate(t *testing.T) {
	ctx := context.Background()
	st := newFakeStore()
	r := New(st, "item:", WithTTL[item](10*time.Second))

	if err := r.Save(ctx, "a", item{Name: "tent"}); err != nil {
		t.Fatal(err)
	}
	if got := st.ttls["item:a"]; got != time.Minute {
		t.Errorf("ttl = %v, want the one-minute floor", got)
	}
	if err := r.Update(ctx, "a", func(it *item) error { it.Name = "big tent"; return nil }); err != nil {
		t.Fatal(err)
	}
	got, err := r.Find(ctx, "a")
	if err != nil || got.Name != "big tent" {
		t.Fatalf("Find = %+v, %v", got, err)
	}
	if _, err := r.Find(ctx, "missing"); !store.IsNotFound(err) {
		t.Errorf("missing id: err = %v", err)
	}
	ids, next, err := r.Page(ctx, "", 10)
	if err != nil || next != "" || len(ids) != 1 || ids[0] != "a" {
		t.Errorf("Page = %v %q %v", ids, next, err)
	}
}
