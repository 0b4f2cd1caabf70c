package kvstore_test

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"example.com/kiln/internal/kvstore"
)

// fakeStore is a map-backed Store that pages its listings two keys at a time
// and records the expiry asked for on each write.
type fakeStore struct {
	data map[string][]byte
	ttls map[string]time.Duration
}

func newFake() *fakeStore {
	return &fakeStore{data: map[string][]byte{}, ttls: map[string]time.Duration{}}
}

func (f *fakeStore) Get(_ context.Context, key string) ([]byte, error) {
	v, ok := f.data[key]
	if !ok {
		return nil, kvstore.ErrNotFound
	}
	return v, nil
}

func (f *fakeStore) Put(_ context.Context, key string, value []byte) error {
	f.data[key] = value
	return nil
}

func (f *fakeStore) PutTTL(_ context.Context, key string, value []byte, ttl time.Duration) error {
	f.data[key] = value
	f.ttls[key] = ttl
	return nil
}

func (f *fakeStore) Delete(_ context.Context, key string) error {
	delete(f.data, key)
	return nil
}

func (f *fakeStore) List(_ context.Context, req kvstore.ListRequest) (kvstore.Page, error) {
	var names []string
	for k := range f.data {
		if strings.HasPrefix(k, req.Prefix) && k > req.Cursor {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	page := kvstore.Page{Complete: len(names) <= 2}
	if len(names) > 2 {
		names = names[:2]
		page.Cursor = names[1]
	}
	for _, n := range names {
		page.Keys = append(page.Keys, kvstore.KeyInfo{Name: n})
	}
	return page, nil
}

func TestKeysFollowsCursor(t *testing.T) {
	f := newFake()
	for _, k := range []string{"a:1", "a:2", "a:3", "a:4", "a:5", "b:1"} {
		f.data[k] = []byte("x")
	}
	var got []string
	for k, err := range kvstore.Open(f).Keys(context.Background(), "a:") {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, k)
	}
	if len(got) != 5 {
		t.Fatalf("got %v, want 5 keys", got)
	}
}

func TestEntryBuilderUsesTTLSetter(t *testing.T) {
	f := newFake()
	b := kvstore.Open(f)
	if err := b.Entry("hold:1").String("x").TTL(15 * time.Minute).Put(context.Background()); err != nil {
		t.Fatal(err)
	}
	if f.ttls["hold:1"] != 15*time.Minute {
		t.Fatalf("ttl = %v", f.ttls["hold:1"])
	}
}

func TestPrefixDecorator(t *testing.T) {
	f := newFake()
	s := kvstore.Chain(f, kvstore.WithPrefix("shop:"))
	if err := s.Put(context.Background(), "item:1", []byte("mug")); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.data["shop:item:1"]; !ok {
		t.Fatalf("prefix not applied: %v", f.data)
	}
	page, err := s.List(context.Background(), kvstore.ListRequest{Prefix: "item:"})
	if err != nil || len(page.Keys) != 1 || page.Keys[0].Name != "item:1" {
		t.Fatalf("list = %+v, %v", page, err)
	}
}
