// Package repo provides a generic JSON repository on top of the kv port.
package repo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"example.com/curlew/internal/kv"
)

// ErrNotFound is returned when a record does not exist.
var ErrNotFound = errors.New("repo: not found")

// Repo stores values of type T under prefix+id.
type Repo[T any] struct {
	store    kv.Store
	prefix   string
	lifetime func(T) time.Duration
	pageSize int
	metadata func(T) any
}

// Option configures a Repo.
type Option[T any] func(*Repo[T])

// WithTTL gives every saved record the same lifetime.
func WithTTL[T any](d time.Duration) Option[T] {
	return func(r *Repo[T]) { r.lifetime = func(T) time.Duration { return d } }
}

// WithLifetime computes each record's lifetime from the record.
func WithLifetime[T any](fn func(T) time.Duration) Option[T] {
	return func(r *Repo[T]) { r.lifetime = fn }
}

// WithPageSize sets how many keys one listing call asks for.
func WithPageSize[T any](n int) Option[T] {
	return func(r *Repo[T]) { r.pageSize = n }
}

// WithMetadata derives list metadata from each record.
func WithMetadata[T any](fn func(T) any) Option[T] {
	return func(r *Repo[T]) { r.metadata = fn }
}

// New returns a repository for prefix.
func New[T any](s kv.Store, prefix string, opts ...Option[T]) *Repo[T] {
	r := &Repo[T]{store: s, prefix: prefix, pageSize: 500}
	for _, o := range opts {
		o(r)
	}
	return r
}

// Key returns the storage key for id.
func (r *Repo[T]) Key(id string) string { return r.prefix + id }

// ID strips the prefix from a storage key.
func (r *Repo[T]) ID(key string) string { return key[len(r.prefix):] }

// Get loads one record.
func (r *Repo[T]) Get(ctx context.Context, id string) (T, error) {
	var v T
	err := kv.GetJSON(ctx, r.store, r.Key(id), &v)
	if kv.IsNotFound(err) {
		return v, fmt.Errorf("%w: %s%s", ErrNotFound, r.prefix, id)
	}
	return v, err
}

func (r *Repo[T]) putOptions(v T) []kv.PutOption {
	var opts []kv.PutOption
	if r.lifetime != nil {
		if d := r.lifetime(v); d > 0 {
			opts = append(opts, kv.WithTTL(d))
		}
	}
	if r.metadata != nil {
		opts = append(opts, kv.WithMetadata(r.metadata(v)))
	}
	return opts
}

// Save writes one record, replacing what was there.
func (r *Repo[T]) Save(ctx context.Context, id string, v T) error {
	return kv.PutJSON(ctx, r.store, r.Key(id), v, r.putOptions(v)...)
}

// Delete removes one record.
func (r *Repo[T]) Delete(ctx context.Context, id string) error {
	return r.store.Delete(ctx, r.Key(id))
}

// Modify loads a record, applies fn and saves the result.
func (r *Repo[T]) Modify(ctx context.Context, id string, fn func(*T) error) error {
	v, err := r.Get(ctx, id)
	if err != nil {
		return err
	}
	if err := fn(&v); err != nil {
		return err
	}
	return r.Save(ctx, id, v)
}

// Page returns one page of keys below the prefix with the cursor for the next.
func (r *Repo[T]) Page(ctx context.Context, cursor string) (kv.Page, error) {
	return r.store.List(ctx, kv.ListParams{Prefix: r.prefix, Cursor: cursor, Limit: r.pageSize})
}

// IDs lists record IDs, reading at most maxPages pages. more is true when the
// budget ran out before the listing was complete.
func (r *Repo[T]) IDs(ctx context.Context, maxPages int) (ids []string, more bool, err error) {
	cursor := ""
	for range maxPages {
		page, err := r.Page(ctx, cursor)
		if err != nil {
			return ids, false, err
		}
		for _, k := range page.Keys {
			ids = append(ids, r.ID(k.Name))
		}
		if page.Complete {
			return ids, false, nil
		}
		cursor = page.Cursor
	}
	return ids, true, nil
}
