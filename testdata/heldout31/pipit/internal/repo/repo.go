// Package repo provides JSON repositories over the key-value port, one per
// stored type, with the key prefix derived from the type.
package repo

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"

	"example.com/pipit/internal/store"
)

// Prefixed is implemented by stored types that choose their own key prefix.
type Prefixed interface {
	Prefix() string
}

// Repo stores values of T as JSON under "<prefix>:<id>".
type Repo[T any] struct {
	kv     store.KV
	prefix string
	ttl    time.Duration
}

// Option configures a Repo.
type Option[T any] func(*Repo[T])

// WithTTL sets the lifetime of values written with Put.
func WithTTL[T any](d time.Duration) Option[T] { return func(r *Repo[T]) { r.ttl = d } }

// New returns a repository whose prefix is T's type name in lower case.
func New[T any](kv store.KV, opts ...Option[T]) *Repo[T] {
	r := &Repo[T]{kv: kv, prefix: strings.ToLower(reflect.TypeFor[T]().Name())}
	for _, o := range opts {
		o(r)
	}
	return r
}

// NewPrefixed returns a repository that uses T's own Prefix.
func NewPrefixed[T Prefixed](kv store.KV, opts ...Option[T]) *Repo[T] {
	r := New(kv, opts...)
	var zero T
	r.prefix = zero.Prefix()
	return r
}

// Prefix returns the key prefix including the trailing separator.
func (r *Repo[T]) Prefix() string { return r.prefix + ":" }

func (r *Repo[T]) key(id string) string { return r.Prefix() + id }

// Get loads one value; a missing id yields store.ErrNotFound.
func (r *Repo[T]) Get(ctx context.Context, id string) (T, error) {
	var v T
	b, err := r.kv.Get(ctx, r.key(id))
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return v, fmt.Errorf("%s %s: %w", r.prefix, id, err)
	}
	return v, nil
}

// Put stores v with the repository's default lifetime.
func (r *Repo[T]) Put(ctx context.Context, id string, v T) error {
	return r.PutFor(ctx, id, v, r.ttl)
}

// PutFor stores v with an explicit lifetime; zero means no expiry.
func (r *Repo[T]) PutFor(ctx context.Context, id string, v T, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("%s %s: %w", r.prefix, id, err)
	}
	var opts []store.PutOption
	if ttl > 0 {
		opts = append(opts, store.WithTTL(ttl))
	}
	return r.kv.Put(ctx, r.key(id), b, opts...)
}

// Delete removes one value.
func (r *Repo[T]) Delete(ctx context.Context, id string) error {
	return r.kv.Delete(ctx, r.key(id))
}

// IDs returns one page of ids under the repository prefix and the cursor of
// the next page, if any. q.Prefix is relative to the repository prefix.
func (r *Repo[T]) IDs(ctx context.Context, q store.Query) ([]string, string, error) {
	q.Prefix = r.Prefix() + q.Prefix
	page, err := r.kv.Find(ctx, q)
	if err != nil {
		return nil, "", err
	}
	ids := make([]string, 0, len(page.Entries))
	for _, e := range page.Entries {
		ids = append(ids, strings.TrimPrefix(e.Key, r.Prefix()))
	}
	return ids, page.Next, nil
}

// Update loads the value under id, applies fn and stores the result.
func Update[T any](ctx context.Context, r *Repo[T], id string, fn func(*T) error) (T, error) {
	v, err := r.Get(ctx, id)
	if err != nil {
		return v, err
	}
	if err := fn(&v); err != nil {
		return v, err
	}
	return v, r.Put(ctx, id, v) // EXPECT kvrace
}
