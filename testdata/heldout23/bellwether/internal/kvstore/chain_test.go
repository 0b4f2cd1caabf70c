package kvstore_test

import (
	"context"
	"errors"
	"iter"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"example.com/bellwether/internal/kvstore"
)

// mapStore is a minimal Store + Lister fake.
type mapStore struct {
	mu   sync.Mutex
	data map[string][]byte
	opts map[string]kvstore.PutOptions
}

func newMapStore() *mapStore {
	return &mapStore{data: map[string][]byte{}, opts: map[string]kvstore.PutOptions{}}
}

func (m *mapStore) Get(_ context.Context, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.data[key]
	if !ok {
		return nil, kvstore.ErrNotFound
	}
	return v, nil
}

func (m *mapStore) Put(_ context.Context, key string, value []byte, opts ...kvstore.PutOption) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.data[key] = value
	m.opts[key] = kvstore.Apply(kvstore.PutOptions{}, opts...)
	return nil
}

func (m *mapStore) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.data, key)
	return nil
}

func (m *mapStore) Keys(_ context.Context, prefix string) iter.Seq2[string, error] {
	m.mu.Lock()
	var names []string
	for k := range m.data {
		if strings.HasPrefix(k, prefix) {
			names = append(names, k)
		}
	}
	m.mu.Unlock()
	slices.Sort(names)
	return func(yield func(string, error) bool) {
		for _, k := range names {
			if !yield(k, nil) {
				return
			}
		}
	}
}

type countingMetrics struct{ n int }

func (c *countingMetrics) Observe(string, time.Duration, error) { c.n++ }

func TestChainPrefixesAndStrips(t *testing.T) {
	ctx := context.Background()
	base := newMapStore()
	m := &countingMetrics{}
	s := kvstore.Chain(base, kvstore.WithMetrics(m), kvstore.WithPrefix("t:"))

	if err := s.Put(ctx, "a", []byte("1"), kvstore.WithTTL(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, ok := base.data["t:a"]; !ok {
		t.Fatalf("expected prefixed key, have %v", base.data)
	}
	if got := base.opts["t:a"].TTL; got != time.Hour {
		t.Fatalf("ttl = %v", got)
	}
	keys, err := kvstore.Collect(kvstore.Keys(ctx, s, ""), 10)
	if err != nil || !slices.Equal(keys, []string{"a"}) {
		t.Fatalf("keys = %v, %v", keys, err)
	}
	if _, err := s.Get(ctx, "missing"); !errors.Is(err, kvstore.ErrNotFound) {
		t.Fatalf("err = %v", err)
	}
	if m.n == 0 {
		t.Fatal("metrics not observed")
	}
}

func TestEntryIsImmutable(t *testing.T) {
	ctx := context.Background()
	base := newMapStore()
	tmpl := kvstore.NewWriter(base).Entry("k").TTL(2 * time.Minute)
	if err := tmpl.String("one").Put(ctx); err != nil {
		t.Fatal(err)
	}
	if err := tmpl.Meta("x", 1).String("two").Put(ctx); err != nil {
		t.Fatal(err)
	}
	if string(base.data["k"]) != "two" || base.opts["k"].Metadata["x"] != 1 {
		t.Fatalf("unexpected %q %v", base.data["k"], base.opts["k"])
	}
}
