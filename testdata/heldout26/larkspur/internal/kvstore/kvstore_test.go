package kvstore_test

import (
	"context"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"example.com/larkspur/internal/kvstore"
)

// mapStore is a minimal in-memory kvstore.Store.
type mapStore struct {
	mu   sync.Mutex
	vals map[string][]byte
	opts map[string]kvstore.Options
}

func newMapStore() *mapStore {
	return &mapStore{vals: map[string][]byte{}, opts: map[string]kvstore.Options{}}
}

func (m *mapStore) Get(_ context.Context, key string, _ ...kvstore.Option) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.vals[key]
	if !ok {
		return nil, kvstore.ErrNotFound
	}
	return v, nil
}

func (m *mapStore) Put(_ context.Context, key string, value []byte, opts ...kvstore.Option) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.vals[key] = value
	m.opts[key] = kvstore.Resolve(opts...)
	return nil
}

func (m *mapStore) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.vals, key)
	return nil
}

func (m *mapStore) List(_ context.Context, prefix string, _ ...kvstore.Option) (kvstore.Page, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var p kvstore.Page
	for _, k := range slices.Sorted(maps.Keys(m.vals)) {
		if strings.HasPrefix(k, prefix) {
			p.Keys = append(p.Keys, kvstore.KeyInfo{Name: k})
		}
	}
	p.Complete = true
	return p, nil
}

type record struct {
	ID string `json:"id"`
}

func (r record) Key() string        { return "rec:" + r.ID }
func (r record) TTL() time.Duration { return 2 * time.Minute }

func TestResolveAppliesInOrder(t *testing.T) {
	o := kvstore.Resolve(kvstore.WithTTL(time.Minute), kvstore.WithLimit(10), kvstore.WithTTL(time.Hour))
	if o.TTL != time.Hour || o.Limit != 10 {
		t.Fatalf("got %+v", o)
	}
}

func TestSaveLoad(t *testing.T) {
	st := newMapStore()
	ctx := context.Background()
	if err := kvstore.Save(ctx, st, record{ID: "a"}); err != nil {
		t.Fatal(err)
	}
	if got := st.opts["rec:a"].TTL; got != 2*time.Minute {
		t.Fatalf("ttl = %s", got)
	}
	r, err := kvstore.Load[record](ctx, st, "rec:a")
	if err != nil || r.ID != "a" {
		t.Fatalf("load: %+v %v", r, err)
	}
	if _, err := kvstore.Load[record](ctx, st, "rec:b"); !kvstore.IsNotFound(err) {
		t.Fatalf("want not found, got %v", err)
	}
}
