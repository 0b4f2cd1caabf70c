// Package router sends each key to a backend chosen by its prefix, so one
// storage port can span the KV namespace and isolate-local memory.
package router

import (
	"context"
	"slices"
	"strings"

	"example.com/grebe/internal/store"
)

// Route maps a key prefix to a backend.
type Route struct {
	Prefix  string
	Backend store.Store
}

// Store is a storage port that dispatches by key prefix. The longest
// matching prefix wins; keys that match no route go to the fallback.
type Store struct {
	routes   []Route
	fallback store.Store
}

var _ store.Store = (*Store)(nil)

// New returns a router. Routes are tried longest prefix first.
func New(fallback store.Store, routes ...Route) *Store {
	rs := slices.Clone(routes)
	slices.SortFunc(rs, func(a, b Route) int { return len(b.Prefix) - len(a.Prefix) })
	return &Store{routes: rs, fallback: fallback}
}

func (s *Store) pick(key string) store.Store {
	for _, r := range s.routes {
		if strings.HasPrefix(key, r.Prefix) {
			return r.Backend
		}
	}
	return s.fallback
}

func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	return s.pick(key).Get(ctx, key)
}

func (s *Store) Put(ctx context.Context, key string, value []byte, o store.PutOptions) error {
	return s.pick(key).Put(ctx, key, value, o)
}

func (s *Store) Delete(ctx context.Context, key string) error {
	return s.pick(key).Delete(ctx, key)
}

// List goes to the backend that owns the prefix.
func (s *Store) List(ctx context.Context, o store.ListOptions) (store.Page, error) {
	return s.pick(o.Prefix).List(ctx, o)
}
