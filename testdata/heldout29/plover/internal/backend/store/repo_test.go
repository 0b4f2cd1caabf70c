package store_test

import (
	"context"
	"sort"
	"strings"
	"sync"
	"testing"

	"example.com/plover/internal/backend/store"
)

// fakeNS is a map-backed store.Namespace that records writes.
type fakeNS struct {
	mu     sync.Mutex
	prefix string
	data   map[string][]byte
	puts   *[]string
}

func newFake() *fakeNS {
	return &fakeNS{data: map[string][]byte{}, puts: new([]string)}
}

func (f *fakeNS) Get(_ context.Context, key string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.data[f.prefix+key]
	if !ok {
		return nil, store.ErrNotFound
	}
	return v, nil
}

func (f *fakeNS) Put(_ context.Context, key string, value []byte, _ *store.PutOpts) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.data[f.prefix+key] = value
	*f.puts = append(*f.puts, f.prefix+key)
	return nil
}

func (f *fakeNS) Delete(_ context.Context, key string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.data, f.prefix+key)
	return nil
}

func (f *fakeNS) List(_ context.Context, prefix, _ string, _ int) (store.Page, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var names []string
	for k := range f.data {
		if strings.HasPrefix(k, f.prefix+prefix) {
			names = append(names, strings.TrimPrefix(k, f.prefix))
		}
	}
	sort.Strings(names)
	var p store.Page
	for _, n := range names {
		p.Entries = append(p.Entries, store.Entry{Name: n})
	}
	return p, nil
}

func (f *fakeNS) PutMany(ctx context.Context, items []store.Item) error {
	for _, it := range items {
		if err := f.Put(ctx, it.Key, it.Value, nil); err != nil {
			return err
		}
	}
	return nil
}

func (f *fakeNS) Prefixed(p string) store.Namespace {
	return &fakeNS{prefix: f.prefix + p, data: f.data, puts: f.puts}
}

var _ store.Namespace = (*fakeNS)(nil)

type team struct {
	ID      string
	Players []string
}

func TestRepoSaveFindUpdate(t *testing.T) {
	ctx := context.Background()
	ns := newFake()
	r := store.NewRepo(ns.Prefixed("team:"), func(t *team) string { return t.ID }, 0)

	if _, ok, err := r.Find(ctx, "a"); err != nil || ok {
		t.Fatalf("Find on empty = %v, %v", ok, err)
	}
	if err := r.Save(ctx, &team{ID: "a"}); err != nil {
		t.Fatal(err)
	}
	got, err := r.Update(ctx, "a", func(t *team) error {
		t.Players = append(t.Players, "p1")
		return nil
	})
	if err != nil || len(got.Players) != 1 {
		t.Fatalf("Update = %+v, %v", got, err)
	}
	if want := []string{"team:a", "team:a"}; strings.Join(*ns.puts, ",") != strings.Join(want, ",") {
		t.Fatalf("puts = %v", *ns.puts)
	}
	if _, err := r.Get(ctx, "missing"); !store.IsNotFound(err) {
		t.Fatalf("Get(missing) err = %v", err)
	}
}

func TestNilPutOpts(t *testing.T) {
	var o *store.PutOpts
	if o.TTLSeconds() != 0 || !o.Expiry().IsZero() || o.Meta() != nil {
		t.Fatal("nil PutOpts should mean defaults")
	}
}
