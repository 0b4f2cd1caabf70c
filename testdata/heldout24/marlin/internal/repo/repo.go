// Package repo provides a generic JSON repository over the kv.Store port.
package repo

import (
	"context"
	"fmt"
	"time"

	"example.com/marlin/internal/kv"
)

type settings struct {
	ttl      time.Duration
	pageSize int
}

// Option configures a repository.
type Option func(*settings)

// WithTTL makes every saved record expire after d.
func WithTTL(d time.Duration) Option { return func(s *settings) { s.ttl = d } }

// Repo stores records of type T under their own storage keys.
type Repo[T kv.Keyed] struct {
	store kv.Store
	key   kv.Key[T]
	cfg   settings
}

// New returns a repository whose records live under prefix.
func New[T kv.Keyed](store kv.Store, prefix string, opts ...Option) *Repo[T] {
	cfg := settings{pageSize: 100}
	for _, o := range opts {
		o(&cfg)
	}
	return &Repo[T]{store: store, key: kv.NewKey[T](prefix), cfg: cfg}
}

// Get loads the record with the given id.
func (r *Repo[T]) Get(ctx context.Context, id string) (T, error) {
	return r.key.Read(ctx, r.store, id)
}

// Put saves v under its storage key with the repository TTL.
func (r *Repo[T]) Put(ctx context.Context, v T) error {
	return kv.Save(ctx, r.store, v, r.cfg.ttl)
}

// PutFor saves v with an explicit lifetime.
func (r *Repo[T]) PutFor(ctx context.Context, v T, ttl time.Duration) error {
	return kv.Save(ctx, r.store, v, ttl)
}

// Delete removes the record with the given id.
func (r *Repo[T]) Delete(ctx context.Context, id string) error {
	return r.store.Delete(ctx, r.key.For(id))
}

// Page returns one page of ids and the cursor of the next page ("" at the end).
func (r *Repo[T]) Page(ctx context.Context, cursor string) ([]string, string, error) {
	page, err := r.store.List(ctx, kv.ListRequest{Prefix: r.key.Prefix(), Cursor: cursor, Limit: r.cfg.pageSize})
	if err != nil {
		return nil, "", fmt.Errorf("list %s: %w", r.key.Prefix(), err)
	}
	ids := make([]string, 0, len(page.Keys))
	for _, k := range page.Keys {
		ids = append(ids, r.key.ID(k.Name))
	}
	if page.Complete {
		return ids, "", nil
	}
	return ids, page.Cursor, nil
}

// Key returns the key family of the repository.
func (r *Repo[T]) Key() kv.Key[T] { return r.key }
