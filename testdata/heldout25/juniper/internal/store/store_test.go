package store_test

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"example.com/juniper/internal/codec"
	"example.com/juniper/internal/store"
)

// recorder is a Raw fake that remembers every write.
type recorder struct {
	data   map[string][]byte
	ttls   map[string]time.Duration
	writes []string
}

var _ store.Raw = (*recorder)(nil)

func newRecorder() *recorder {
	return &recorder{data: map[string][]byte{}, ttls: map[string]time.Duration{}}
}

func (r *recorder) Get(_ context.Context, key string) ([]byte, bool, error) {
	v, ok := r.data[key]
	return v, ok, nil
}

func (r *recorder) Put(_ context.Context, key string, value []byte, opts ...store.PutOption) error {
	r.data[key] = value
	r.ttls[key] = store.Apply(opts).TTL
	r.writes = append(r.writes, key)
	return nil
}

func (r *recorder) Delete(_ context.Context, key string) error {
	delete(r.data, key)
	return nil
}

func (r *recorder) List(_ context.Context, q store.ListQuery) (store.Page, error) {
	var names []string
	for k := range r.data {
		if strings.HasPrefix(k, q.Prefix) {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	p := store.Page{Complete: true}
	for _, n := range names {
		p.Keys = append(p.Keys, store.Key{Name: n})
	}
	return p, nil
}

func TestTypedRoundTrip(t *testing.T) {
	rec := newRecorder()
	s := store.NewTyped[string](rec, codec.Int{}, "n:")
	ctx := context.Background()
	if err := s.Put(ctx, "a", 7, store.WithTTL(time.Hour)); err != nil {
		t.Fatal(err)
	}
	v, ok, err := s.Get(ctx, "a")
	if err != nil || !ok || v != 7 {
		t.Fatalf("got %d %v %v", v, ok, err)
	}
	if _, ok, _ := s.Get(ctx, "missing"); ok {
		t.Fatal("missing key reported present")
	}
}

func TestBatchFlushClampsAndDedups(t *testing.T) {
	rec := newRecorder()
	b := store.Batch{
		{Key: "x", Value: []byte("1"), TTL: time.Second},
		{Key: "y", Value: []byte("2")},
		{Key: "x", Value: []byte("3")},
	}
	if err := b.Flush(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	if len(rec.writes) != 2 || string(rec.data["x"]) != "3" {
		t.Fatalf("writes %v data %q", rec.writes, rec.data["x"])
	}
	if rec.ttls["x"] < time.Minute {
		t.Fatalf("ttl %v below a minute", rec.ttls["x"])
	}
}

func TestMemoryListPages(t *testing.T) {
	m := store.NewMemory()
	ctx := context.Background()
	for _, k := range []string{"a:1", "a:2", "a:3", "b:1"} {
		_ = m.Put(ctx, k, []byte("v"))
	}
	p, err := m.List(ctx, store.ListQuery{Prefix: "a:", Limit: 2})
	if err != nil || len(p.Keys) != 2 || p.Complete {
		t.Fatalf("page %+v err %v", p, err)
	}
}
