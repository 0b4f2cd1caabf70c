// Package repo provides a typed repository over a kvstore.Store.
package repo

import (
	"context"
	"errors"
	"fmt"

	"example.com/fleet/internal/codec"
	"example.com/fleet/internal/kvstore"
)

// Repo stores values of type T under prefix+id.
type Repo[T any] struct {
	store  kvstore.Store
	prefix string
	codec  codec.Codec[T]
	opts   []kvstore.PutOption
}

// Option configures a Repo.
type Option[T any] func(*Repo[T])

// WithDefaults applies opts to every Put that does not override them.
func WithDefaults[T any](opts ...kvstore.PutOption) Option[T] {
	return func(r *Repo[T]) { r.opts = append(r.opts, opts...) }
}

func New[T any](store kvstore.Store, prefix string, options ...Option[T]) *Repo[T] {
	r := &Repo[T]{store: store, prefix: prefix, codec: codec.JSON[T]{}}
	for _, o := range options {
		o(r)
	}
	return r
}

func (r *Repo[T]) Key(id string) string { return r.prefix + id }

// Get returns the value, whether it exists, and any other error.
func (r *Repo[T]) Get(ctx context.Context, id string) (T, bool, error) {
	var zero T
	raw, err := r.store.Get(ctx, r.Key(id))
	if errors.Is(err, kvstore.ErrNotFound) {
		return zero, false, nil
	}
	if err != nil {
		return zero, false, err
	}
	v, err := r.codec.Decode(raw)
	if err != nil {
		return zero, false, fmt.Errorf("repo %s: decode %s: %w", r.prefix, id, err)
	}
	return v, true, nil
}

// Put writes v; per-call opts are applied after the repo defaults.
func (r *Repo[T]) Put(ctx context.Context, id string, v T, opts ...kvstore.PutOption) error {
	raw, err := r.codec.Encode(v)
	if err != nil {
		return fmt.Errorf("repo %s: encode %s: %w", r.prefix, id, err)
	}
	all := append(append([]kvstore.PutOption(nil), r.opts...), opts...)
	return r.store.Put(ctx, r.Key(id), raw, all...)
}

func (r *Repo[T]) Delete(ctx context.Context, id string) error {
	return r.store.Delete(ctx, r.Key(id))
}
