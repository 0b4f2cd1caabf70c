// Package repo layers typed JSON entities over the storage port.
package repo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"example.com/atlas/internal/storage"
)

// Entity is a value that knows the key it is stored under.
type Entity interface {
	Key() string
}

// Repository stores entities of one type.
type Repository[E Entity] struct {
	store storage.Store
	keyOf func(id string) string
	ttl   time.Duration
}

// New returns a repository; keyOf maps an id to the same key E.Key returns.
func New[E Entity](s storage.Store, keyOf func(id string) string, ttl time.Duration) *Repository[E] {
	return &Repository[E]{store: s, keyOf: keyOf, ttl: ttl}
}

// Save writes e under e.Key().
func (r *Repository[E]) Save(ctx context.Context, e E) error {
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("repo: encode %s: %w", e.Key(), err)
	}
	return r.store.Put(ctx, e.Key(), b, r.ttl)
}

// Load reads the entity with the given id. A missing entity is
// storage.ErrNotFound.
func (r *Repository[E]) Load(ctx context.Context, id string) (E, error) {
	var e E
	b, err := r.store.Get(ctx, r.keyOf(id))
	if err != nil {
		return e, err
	}
	if err := json.Unmarshal(b, &e); err != nil {
		return e, fmt.Errorf("repo: decode %s: %w", r.keyOf(id), err)
	}
	return e, nil
}

// Remove deletes the entity with the given id.
func (r *Repository[E]) Remove(ctx context.Context, id string) error {
	return r.store.Delete(ctx, r.keyOf(id))
}

// Mutate loads the JSON value at key (the zero T when absent), applies fn and
// writes the result back.
func Mutate[T any](ctx context.Context, s storage.Store, key string, ttl time.Duration, fn func(*T) error) error {
	var v T
	b, err := s.Get(ctx, key)
	switch {
	case errors.Is(err, storage.ErrNotFound):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(b, &v); err != nil {
			return fmt.Errorf("repo: decode %s: %w", key, err)
		}
	}
	if err := fn(&v); err != nil {
		return err
	}
	out, err := json.Marshal(&v)
	if err != nil {
		return fmt.Errorf("repo: encode %s: %w", key, err)
	}
	return s.Put(ctx, key, out, ttl) // EXPECT kvrace
}
