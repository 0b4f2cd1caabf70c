// Package repo provides a generic, JSON-encoded repository over store.Store.
package repo

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"example.com/tamarack/internal/platform/store"
)

// Codec converts between T and its stored form.
type Codec[T any] interface {
	Encode(T) (string, error)
	Decode(string) (T, error)
}

// JSON is the default codec.
type JSON[T any] struct{}

func (JSON[T]) Encode(v T) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

func (JSON[T]) Decode(s string) (T, error) {
	var v T
	err := json.Unmarshal([]byte(s), &v)
	return v, err
}

// Repository stores values of type T under a fixed key prefix.
type Repository[T any] struct {
	st     store.Store
	prefix string
	ttl    time.Duration
	codec  Codec[T]
}

// Option configures a Repository.
type Option[T any] func(*Repository[T])

// WithTTL gives every Save a relative expiry. A TTL under a minute is
// raised to a minute, the shortest expiry the backend accepts.
func WithTTL[T any](d time.Duration) Option[T] {
	return func(r *Repository[T]) { r.ttl = max(d, time.Minute) }
}

// New returns a repository of T under prefix.
func New[T any](st store.Store, prefix string, opts ...Option[T]) *Repository[T] {
	r := &Repository[T]{st: st, prefix: prefix, codec: JSON[T]{}}
	for _, o := range opts {
		o(r)
	}
	return r
}

// Key returns the storage key of id.
func (r *Repository[T]) Key(id string) string { return r.prefix + id }

// Find loads id. It returns store.ErrNotFound when absent.
func (r *Repository[T]) Find(ctx context.Context, id string) (T, error) {
	var zero T
	raw, err := r.st.Get(ctx, r.Key(id))
	if err != nil {
		return zero, err
	}
	v, err := r.codec.Decode(raw)
	if err != nil {
		return zero, fmt.Errorf("decode %s%s: %w", r.prefix, id, err)
	}
	return v, nil
}

// Save writes v under id with the repository's default expiry.
func (r *Repository[T]) Save(ctx context.Context, id string, v T) error {
	var opts []store.PutOption
	if r.ttl > 0 {
		opts = append(opts, store.WithTTL(r.ttl))
	}
	return r.write(ctx, id, v, opts...)
}

// SaveFor writes v under id with an explicit relative expiry.
func (r *Repository[T]) SaveFor(ctx context.Context, id string, v T, ttl time.Duration) error {
	return r.write(ctx, id, v, store.WithTTL(ttl))
}

// SaveUntil writes v under id with an absolute expiry.
func (r *Repository[T]) SaveUntil(ctx context.Context, id string, v T, at time.Time) error {
	return r.write(ctx, id, v, store.ExpiresAt(at))
}

func (r *Repository[T]) write(ctx context.Context, id string, v T, opts ...store.PutOption) error {
	raw, err := r.codec.Encode(v)
	if err != nil {
		return fmt.Errorf("encode %s%s: %w", r.prefix, id, err)
	}
	return r.st.Put(ctx, r.Key(id), raw, opts...)
}

// Update loads id, applies fn and writes the result back. A missing record
// is passed to fn as the zero value.
func (r *Repository[T]) Update(ctx context.Context, id string, fn func(*T) error) error {
	cur, err := r.Find(ctx, id)
	if err != nil && !store.IsNotFound(err) {
		return err
	}
	if err := fn(&cur); err != nil {
		return err
	}
	raw, err := r.codec.Encode(cur)
	if err != nil {
		return err
	}
	return r.st.Put(ctx, r.Key(id), raw) // EXPECT kvrace
}

// Delete removes id.
func (r *Repository[T]) Delete(ctx context.Context, id string) error {
	return r.st.Delete(ctx, r.Key(id))
}

// Page returns one page of ids and the cursor of the next page; the cursor
// is empty on the last page.
func (r *Repository[T]) Page(ctx context.Context, cursor string, limit int) ([]string, string, error) {
	page, err := r.st.List(ctx, store.ListOptions{Prefix: r.prefix, Cursor: cursor, Limit: min(limit, 1000)})
	if err != nil {
		return nil, "", err
	}
	next := page.Cursor
	if page.Complete {
		next = ""
	}
	return store.TrimKeys(page.Keys, r.prefix), next, nil
}
