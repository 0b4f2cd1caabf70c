package ratelimit

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"

	"example.com/sorrel/internal/domain"
	"example.com/sorrel/internal/keyspace"
	"example.com/sorrel/internal/kvstore"
)

func TestAllowUntilBurst(t *testing.T) {
	ctx := context.Background()
	l := New(newMemStore(), keyspace.New("test:"), nil, Named("t"))
	allowed := 0
	for range domain.PlanBasic.Burst() + 5 {
		ok, err := l.Allow(ctx, "1.2.3.4", domain.PlanBasic)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			allowed++
		}
	}
	if allowed != domain.PlanBasic.Burst() {
		t.Fatalf("allowed %d", allowed)
	}
}

// memStore is an in-memory kvstore.Store for tests. It ignores TTLs.
type memStore struct {
	data map[string][]byte
	puts int
}

func newMemStore() *memStore { return &memStore{data: map[string][]byte{}} }

func (m *memStore) Get(_ context.Context, key string, _ ...kvstore.Option) ([]byte, error) {
	v, ok := m.data[key]
	if !ok {
		return nil, kvstore.ErrNotFound
	}
	return v, nil
}

func (m *memStore) Put(_ context.Context, key string, value []byte, _ ...kvstore.Option) error {
	m.data[key] = append([]byte(nil), value...)
	m.puts++
	return nil
}

func (m *memStore) Delete(_ context.Context, key string) error {
	delete(m.data, key)
	return nil
}

func (m *memStore) List(_ context.Context, prefix string, opts ...kvstore.Option) (kvstore.Page, error) {
	var p kvstore.Page
	for _, k := range slices.Sorted(maps.Keys(m.data)) {
		if strings.HasPrefix(k, prefix) {
			p.Keys = append(p.Keys, kvstore.KeyInfo{Name: k})
		}
	}
	p.Complete = true
	return p, nil
}
