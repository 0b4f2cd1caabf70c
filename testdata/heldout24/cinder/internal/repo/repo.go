// Package repo provides a generic JSON repository over a storage.Store.
package repo

import (
	"context"
	"errors"
	"time"

	"example.com/cinder/internal/storage"
)

// ErrNotFound mirrors storage.ErrNotFound for callers that only import repo.
var ErrNotFound = storage.ErrNotFound

// Repo stores values of T under keys from a typed key family.
type Repo[T any] struct {
	store storage.Store
	key   storage.Key[T]
	ttl   time.Duration
}

// Option configures a Repo.
type Option func(*settings)

type settings struct {
	ttl time.Duration
}

// WithTTL sets the default lifetime of every record written by the repo.
func WithTTL(d time.Duration) Option { return func(s *settings) { s.ttl = d } }

// New builds a repository for the key family k.
func New[T any](s storage.Store, k storage.Key[T], opts ...Option) *Repo[T] {
	var cfg settings
	for _, o := range opts {
		o(&cfg)
	}
	return &Repo[T]{store: s, key: k, ttl: cfg.ttl}
}

// Find returns the record with id.
func (r *Repo[T]) Find(ctx context.Context, id string) (T, error) {
	return r.key.Get(ctx, r.store, id)
}

// Exists reports whether id has a record.
func (r *Repo[T]) Exists(ctx context.Context, id string) (bool, error) {
	_, err := r.store.Get(ctx, r.key.For(id))
	if errors.Is(err, storage.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// Put writes v with the repository's default lifetime.
func (r *Repo[T]) Put(ctx context.Context, id string, v T) error {
	var opts []storage.PutOption
	if r.ttl > 0 {
		opts = append(opts, storage.WithTTL(r.ttl))
	}
	return r.key.Set(ctx, r.store, id, v, opts...)
}

// PutFor writes v with an explicit lifetime.
func (r *Repo[T]) PutFor(ctx context.Context, id string, v T, ttl time.Duration) error {
	return r.key.Set(ctx, r.store, id, v, storage.WithTTL(ttl))
}

// PutUntil writes v so that it expires at t.
func (r *Repo[T]) PutUntil(ctx context.Context, id string, v T, t time.Time) error {
	return r.key.Set(ctx, r.store, id, v, storage.WithExpireAt(t))
}

// Delete removes id.
func (r *Repo[T]) Delete(ctx context.Context, id string) error {
	return r.store.Delete(ctx, r.key.For(id))
}

// Update loads id, applies fn and writes the result back.
func (r *Repo[T]) Update(ctx context.Context, id string, fn func(*T) error) error {
	v, err := r.Find(ctx, id)
	if err != nil {
		return err
	}
	if err := fn(&v); err != nil {
		return err
	}
	return r.Put(ctx, id, v)
}
