package repo

import (
	"context"
	"errors"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"example.com/avocet/internal/domain"
	"example.com/avocet/internal/ops"
)

// memStore is an in-memory ops.Exec used by the tests.
type memStore struct {
	mu   sync.Mutex
	data map[string][]byte
	ttls map[string]time.Duration
}

func newMemStore() *memStore {
	return &memStore{data: map[string][]byte{}, ttls: map[string]time.Duration{}}
}

func (m *memStore) Exec(_ context.Context, op ops.Op) (ops.Result, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch op.Kind {
	case ops.OpGet:
		v, ok := m.data[op.Key]
		return ops.Result{Value: v, Found: ok}, nil
	case ops.OpPut:
		m.data[op.Key], m.ttls[op.Key] = op.Value, op.TTL
		return ops.Result{}, nil
	case ops.OpDelete:
		delete(m.data, op.Key)
		return ops.Result{}, nil
	case ops.OpList:
		var keys []string
		for k := range m.data {
			if strings.HasPrefix(k, op.Prefix) {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		return ops.Result{Keys: keys, Complete: true}, nil
	}
	return ops.Result{}, ops.ErrUnsupported
}

func TestRepoRoundTrip(t *testing.T) {
	ctx := context.Background()
	mem := newMemStore()
	shows := New[domain.Show](mem.Exec, WithTTL(time.Hour))
	if err := shows.Put(ctx, domain.Show{ID: "s1", Title: "Night Owls"}); err != nil {
		t.Fatal(err)
	}
	if mem.ttls["show:s1"] != time.Hour {
		t.Fatalf("ttl = %v", mem.ttls["show:s1"])
	}
	err := shows.Update(ctx, "s1", func(s *domain.Show) error { s.Title = "Early Birds"; return nil })
	if err != nil {
		t.Fatal(err)
	}
	got, err := shows.Get(ctx, "s1")
	if err != nil || got.Title != "Early Birds" {
		t.Fatalf("got %+v, %v", got, err)
	}
	if _, err := shows.Get(ctx, "nope"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("missing show: %v", err)
	}
}

type Preferences struct{ Theme string }

func TestNamedPrefix(t *testing.T) {
	mem := newMemStore()
	prefs := NewNamed[Preferences](mem.Exec)
	if prefs.Prefix() != "preferences" {
		t.Fatalf("prefix %q", prefs.Prefix())
	}
	if err := prefs.Save(context.Background(), "c1", Preferences{Theme: "dark"}); err != nil {
		t.Fatal(err)
	}
	v, ok, err := prefs.Load(context.Background(), "c1")
	if err != nil || !ok || v.Theme != "dark" {
		t.Fatalf("load: %+v %v %v", v, ok, err)
	}
}
