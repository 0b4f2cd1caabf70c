// Package repo provides a typed JSON repository over store.Store. Every
// repository owns a key prefix; ids are appended to it.
package repo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"example.com/identity/internal/store"
)

// Option configures a repository.
type Option func(*settings)

type settings struct {
	ttl      time.Duration
	metadata func(any) any
}

// TTL makes every Save expire after d.
func TTL(d time.Duration) Option { return func(s *settings) { s.ttl = d } }

// IndexMetadata derives list metadata from each saved value.
func IndexMetadata(fn func(any) any) Option { return func(s *settings) { s.metadata = fn } }

// Repo stores values of T as JSON under prefix+id.
type Repo[T any] struct {
	st     store.Store
	prefix string
	cfg    settings
}

// New returns a repository for T.
func New[T any](st store.Store, prefix string, opts ...Option) *Repo[T] {
	r := &Repo[T]{st: st, prefix: prefix}
	for _, o := range opts {
		o(&r.cfg)
	}
	return r
}

// Prefix is the key prefix of this repository.
func (r *Repo[T]) Prefix() string { return r.prefix }

// Get loads id. It returns store.ErrNotFound when it does not exist.
func (r *Repo[T]) Get(ctx context.Context, id string) (T, error) {
	var v T
	raw, err := r.st.Get(ctx, r.prefix+id)
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, fmt.Errorf("repo %s%s: %w", r.prefix, id, err)
	}
	return v, nil
}

// Save writes v under id with the repository's TTL.
func (r *Repo[T]) Save(ctx context.Context, id string, v T, extra ...store.PutOption) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var opts []store.PutOption
	if r.cfg.ttl > 0 {
		opts = append(opts, store.WithTTL(r.cfg.ttl))
	}
	if r.cfg.metadata != nil {
		opts = append(opts, store.WithMetadata(r.cfg.metadata(v)))
	}
	return r.st.Put(ctx, r.prefix+id, b, append(opts, extra...)...)
}

// Delete removes id.
func (r *Repo[T]) Delete(ctx context.Context, id string) error {
	return r.st.Delete(ctx, r.prefix+id)
}

// Update loads id (or starts from the zero value), applies fn and saves.
func (r *Repo[T]) Update(ctx context.Context, id string, fn func(*T) error) error {
	v, err := r.Get(ctx, id)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if err := fn(&v); err != nil {
		return err
	}
	return r.Save(ctx, id, v) // EXPECT kvrace
}

// maxPages bounds Values so an admin page never scans a whole namespace.
const maxPages = 5

// Values returns up to maxPages pages of values under the prefix.
func (r *Repo[T]) Values(ctx context.Context) ([]T, error) {
	var out []T
	cursor := ""
	for range maxPages {
		page, err := r.st.List(ctx, store.ListOptions{Prefix: r.prefix, Cursor: cursor, Limit: 1000})
		if err != nil {
			return nil, err
		}
		for _, k := range page.Keys {
			v, err := r.Get(ctx, k.Name[len(r.prefix):]) // EXPECT kvlist
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		if page.Complete {
			break
		}
		cursor = page.Cursor
	}
	return out, nil
}
