package repo

import (
	"context"
	"testing"
	"time"

	"example.com/bellwether/internal/kvstore"
)

type fakeStore struct {
	data map[string][]byte
	ttls map[string]time.Duration
}

func (f *fakeStore) Get(_ context.Context, key string) ([]byte, error) {
	v, ok := f.data[key]
	if !ok {
		return nil, kvstore.ErrNotFound
	}
	return v, nil
}

func (f *fakeStore) Put(_ context.Context, key string, value []byte, opts ...kvstore.PutOption) error {
	f.data[key] = value
	f.ttls[key] = kvstore.Apply(kvstore.PutOptions{}, opts...).TTL
	return nil
}

func (f *fakeStore) Delete(_ context.Context, key string) error {
	delete(f.data, key)
	return nil
}

// ttlStore adds the TTLSetter capability.
type ttlStore struct {
	*fakeStore
	viaTTL int
}

func (s *ttlStore) PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	s.viaTTL++
	return s.Put(ctx, key, value, kvstore.WithTTL(ttl))
}

type widget struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

func TestSaveFindUpdate(t *testing.T) {
	ctx := context.Background()
	fs := &fakeStore{data: map[string][]byte{}, ttls: map[string]time.Duration{}}
	st := &ttlStore{fakeStore: fs}
	b := NewBase[widget](st, "w:", WithTTL(time.Hour))

	if _, ok, err := b.Find(ctx, "x"); ok || err != nil {
		t.Fatalf("find on empty store: ok=%v err=%v", ok, err)
	}
	if err := b.Save(ctx, "x", widget{Name: "x"}); err != nil {
		t.Fatal(err)
	}
	if st.viaTTL != 1 || fs.ttls["w:x"] != time.Hour {
		t.Fatalf("expected PutTTL upgrade, got %d / %v", st.viaTTL, fs.ttls["w:x"])
	}
	got, err := b.Update(ctx, "x", func(w *widget) error { w.Count = 3; return nil })
	if err != nil || got.Count != 3 || got.Name != "x" {
		t.Fatalf("update = %+v, %v", got, err)
	}
}
