// Package repo provides typed JSON records on top of storage.Store.
package repo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"example.com/billing/internal/storage"
)

// GetJSON reads key and decodes it into a T.
func GetJSON[T any](ctx context.Context, s storage.Store, key string) (T, error) {
	var v T
	raw, err := s.Get(ctx, key)
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, fmt.Errorf("decode %s: %w", key, err)
	}
	return v, nil
}

// PutJSON encodes v and writes it to key.
func PutJSON(ctx context.Context, s storage.Store, key string, v any, opts ...storage.PutOption) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	return s.Put(ctx, key, raw, opts...)
}

type settings struct {
	ttl time.Duration
}

// Option configures a Repo.
type Option func(*settings)

// WithTTL gives every record written by Put this lifetime.
func WithTTL(d time.Duration) Option {
	return func(s *settings) { s.ttl = d }
}

// Repo stores values of type T under prefix+id.
type Repo[T any] struct {
	store  storage.Store
	prefix string
	cfg    settings
}

// New returns a Repo for records under prefix.
func New[T any](s storage.Store, prefix string, opts ...Option) *Repo[T] {
	r := &Repo[T]{store: s, prefix: prefix}
	for _, o := range opts {
		o(&r.cfg)
	}
	return r
}

// Key returns the storage key for id.
func (r *Repo[T]) Key(id string) string { return r.prefix + id }

// Prefix returns the repo's key prefix.
func (r *Repo[T]) Prefix() string { return r.prefix }

func (r *Repo[T]) Get(ctx context.Context, id string) (T, error) {
	return GetJSON[T](ctx, r.store, r.Key(id))
}

func (r *Repo[T]) Put(ctx context.Context, id string, v T) error {
	var opts []storage.PutOption
	if r.cfg.ttl > 0 {
		opts = append(opts, storage.WithTTL(r.cfg.ttl))
	}
	return PutJSON(ctx, r.store, r.Key(id), v, opts...)
}

// PutFor writes v with an explicit lifetime, overriding the repo default.
func (r *Repo[T]) PutFor(ctx context.Context, id string, v T, ttl time.Duration) error {
	return PutJSON(ctx, r.store, r.Key(id), v, storage.WithTTL(ttl))
}

func (r *Repo[T]) Delete(ctx context.Context, id string) error {
	return r.store.Delete(ctx, r.Key(id))
}

// Update loads the record (zero value if absent), applies fn and saves it.
func (r *Repo[T]) Update(ctx context.Context, id string, fn func(*T) error) error {
	cur, err := r.Get(ctx, id)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	if err := fn(&cur); err != nil {
		return err
	}
	return r.Put(ctx, id, cur) // EXPECT kvrace
}
