// Package repo is a generic repository over the storage ports: one value
// per id under a key prefix, with a pluggable codec.
package repo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"example.com/pylon/internal/fp"
	"example.com/pylon/internal/storage"
)

// Repo stores values of type T under prefix+id.
type Repo[T any] struct {
	store  storage.ReadWriter
	prefix string
	codec  Codec[T]
	ttl    time.Duration
	meta   func(T) map[string]any
}

// Option configures a Repo.
type Option[T any] func(*Repo[T])

// WithTTL expires every saved value after d.
func WithTTL[T any](d time.Duration) Option[T] {
	return func(r *Repo[T]) { r.ttl = d }
}

// WithCodec replaces the default JSON codec.
func WithCodec[T any](c Codec[T]) Option[T] {
	return func(r *Repo[T]) { r.codec = c }
}

// WithMetadata attaches metadata derived from the value to every write.
func WithMetadata[T any](fn func(T) map[string]any) Option[T] {
	return func(r *Repo[T]) { r.meta = fn }
}

// New builds a repository.
func New[T any](store storage.ReadWriter, prefix string, opts ...Option[T]) *Repo[T] {
	r := &Repo[T]{store: store, prefix: prefix, codec: JSON[T]{}}
	for _, o := range opts {
		o(r)
	}
	return r
}

// Key returns the storage key for id.
func (r *Repo[T]) Key(id string) string { return r.prefix + id }

// Get loads the value for id or returns storage.ErrNotFound.
func (r *Repo[T]) Get(ctx context.Context, id string) (T, error) {
	var zero T
	raw, err := r.store.Get(ctx, r.Key(id))
	if err != nil {
		return zero, err
	}
	v, err := r.codec.Decode(raw)
	if err != nil {
		return zero, fmt.Errorf("repo %s decode: %w", r.prefix, err)
	}
	return v, nil
}

// Find is Get with the miss folded into an Option.
func (r *Repo[T]) Find(ctx context.Context, id string) (fp.Option[T], error) {
	v, err := r.Get(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return fp.None[T](), nil
	}
	if err != nil {
		return fp.None[T](), err
	}
	return fp.Some(v), nil
}

func (r *Repo[T]) options(v T, ttl time.Duration) storage.PutOptions {
	o := storage.PutOptions{TTL: ttl}
	if r.meta != nil {
		o.Metadata = r.meta(v)
	}
	return o
}

// Save writes v with the repository's TTL.
func (r *Repo[T]) Save(ctx context.Context, id string, v T) error {
	return r.SaveFor(ctx, id, v, r.ttl)
}

// SaveFor writes v with an explicit TTL.
func (r *Repo[T]) SaveFor(ctx context.Context, id string, v T, ttl time.Duration) error {
	raw, err := r.codec.Encode(v)
	if err != nil {
		return fmt.Errorf("repo %s encode: %w", r.prefix, err)
	}
	return r.store.Put(ctx, r.Key(id), raw, r.options(v, ttl))
}

// Delete removes id.
func (r *Repo[T]) Delete(ctx context.Context, id string) error {
	return r.store.Delete(ctx, r.Key(id))
}

// Update loads the value for id, applies fn and writes the result back.
func (r *Repo[T]) Update(ctx context.Context, id string, fn func(*T) error) (T, error) {
	v, err := r.Get(ctx, id)
	if err != nil {
		return v, err
	}
	if err := fn(&v); err != nil {
		return v, err
	}
	raw, err := r.codec.Encode(v)
	if err != nil {
		return v, err
	}
	return v, r.store.Put(ctx, r.Key(id), raw, r.options(v, r.ttl)) // EXPECT kvrace
}
