package shows

import (
	"context"
	"testing"
	"time"

	"example.com/ibex/internal/origin"
)

type memStore struct{ data map[string][]byte }

func (m *memStore) Lookup(_ context.Context, key string) ([]byte, bool, error) {
	v, ok := m.data[key]
	return v, ok, nil
}

func (m *memStore) Save(_ context.Context, key string, val []byte, _ time.Duration) error {
	m.data[key] = val
	return nil
}

func (m *memStore) Remove(_ context.Context, key string) error {
	delete(m.data, key)
	return nil
}

func (m *memStore) Get(ctx context.Context, key string) ([]byte, error) {
	v, _, _ := m.Lookup(ctx, key)
	return v, nil
}

func (m *memStore) Put(ctx context.Context, key string, val []byte) error {
	return m.Save(ctx, key, val, 0)
}

type fakeSource struct{ calls int }

func (f *fakeSource) Show(_ context.Context, id string) (origin.Show, error) {
	f.calls++
	return origin.Show{ID: id, Title: "Night Owls"}, nil
}

func (f *fakeSource) Episodes(context.Context, string, int) ([]origin.Episode, error) {
	return []origin.Episode{{ID: "e2"}, {ID: "e1"}}, nil
}

func TestShowReadThrough(t *testing.T) {
	st := &memStore{data: map[string][]byte{}}
	src := &fakeSource{}
	c := NewCatalog(st, st, src)
	for range 3 {
		s, err := c.Show(context.Background(), "s1")
		if err != nil || s.Title != "Night Owls" {
			t.Fatalf("%+v %v", s, err)
		}
	}
	if src.calls != 1 {
		t.Fatalf("origin called %d times", src.calls)
	}
}

func TestRebuildIndex(t *testing.T) {
	st := &memStore{data: map[string][]byte{}}
	c := NewCatalog(st, st, &fakeSource{})
	timeNow = func() time.Time { return time.Unix(0, 0) }
	t.Cleanup(func() { timeNow = time.Now })
	if err := c.RebuildIndex(context.Background(), "s1"); err != nil {
		t.Fatal(err)
	}
	if _, ok := st.data["episodes-of:s1"]; !ok {
		t.Fatal("index not written")
	}
}
