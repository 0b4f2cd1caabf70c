package repo

import (
	"context"
	"errors"
	"sync"
	"testing"

	"example.com/otter/internal/kvport"
)

// mapStore is a minimal kvport.Store fake.
type mapStore struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (s *mapStore) Get(_ context.Context, k string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[k]
	if !ok {
		return nil, kvport.ErrNotFound
	}
	return v, nil
}

func (s *mapStore) Put(_ context.Context, k string, v []byte, _ *kvport.PutOpts) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[k] = v
	return nil
}

func (s *mapStore) Delete(_ context.Context, k string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, k)
	return nil
}

func (s *mapStore) List(context.Context, kvport.ListQuery) (kvport.Page, error) {
	return kvport.Page{Complete: true}, nil
}

type doc struct{ Name string }

func TestUpdateChecksVersion(t *testing.T) {
	ctx := context.Background()
	r := New[doc](&mapStore{m: map[string][]byte{}}, "d:")
	if err := r.Save(ctx, "1", doc{Name: "a"}, 0); err != nil {
		t.Fatal(err)
	}
	got, err := r.Update(ctx, "1", 1, func(d *doc) error { d.Name = "b"; return nil })
	if err != nil || got.Version != 2 || got.Data.Name != "b" {
		t.Fatalf("update = %+v, %v", got, err)
	}
	if _, err := r.Update(ctx, "1", 1, func(*doc) error { return nil }); !errors.Is(err, ErrConflict) {
		t.Fatalf("stale update: %v", err)
	}
	if _, err := r.Load(ctx, "2"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("load missing: %v", err)
	}
}
