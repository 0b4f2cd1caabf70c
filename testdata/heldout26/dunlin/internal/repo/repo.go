// Package repo provides JSON-encoded typed repositories over kvstore.Store.
package repo

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"example.com/dunlin/internal/kvstore"
)

// Repo stores values of type T under "<prefix><id>".
type Repo[T any] struct {
	st     kvstore.Store
	prefix string
	opts   []kvstore.Option
}

// New returns a repository. opts apply to every Put made through it.
func New[T any](st kvstore.Store, prefix string, opts ...kvstore.Option) *Repo[T] {
	return &Repo[T]{st: st, prefix: prefix, opts: slices.Clone(opts)}
}

// Key returns the full key of id.
func (r *Repo[T]) Key(id string) string { return r.prefix + id }

// Get loads id. A missing key yields kvstore.ErrNotFound.
func (r *Repo[T]) Get(ctx context.Context, id string) (T, error) {
	var v T
	raw, err := r.st.Get(ctx, r.Key(id))
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, fmt.Errorf("repo: decode %s: %w", r.Key(id), err)
	}
	return v, nil
}

// Put stores v under id. Per-call options follow the repository ones.
func (r *Repo[T]) Put(ctx context.Context, id string, v T, opts ...kvstore.Option) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("repo: encode %s: %w", r.Key(id), err)
	}
	return r.st.Put(ctx, r.Key(id), raw, append(slices.Clone(r.opts), opts...)...)
}

// Delete removes id.
func (r *Repo[T]) Delete(ctx context.Context, id string) error {
	return r.st.Delete(ctx, r.Key(id))
}

// All loads every value in the repository.
func (r *Repo[T]) All(ctx context.Context) ([]T, error) {
	var (
		out    []T
		cursor string
	)
	for {
		page, err := r.st.List(ctx, r.prefix, kvstore.WithCursor(cursor)) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range page.Keys {
			raw, err := r.st.Get(ctx, k.Name) // EXPECT kvlist
			if kvstore.IsNotFound(err) {
				continue
			}
			if err != nil {
				return nil, err
			}
			var v T
			if err := json.Unmarshal(raw, &v); err != nil {
				return nil, fmt.Errorf("repo: decode %s: %w", k.Name, err)
			}
			out = append(out, v)
		}
		if page.Complete {
			return out, nil
		}
		cursor = page.Cursor
	}
}

// Record is a value that knows its own key and lifetime.
type Record interface {
	Key() string
	TTL() time.Duration
}

// Save writes v under v.Key() with v.TTL(); extra options (metadata) follow.
func Save[T Record](ctx context.Context, st kvstore.Store, v T, opts ...kvstore.Option) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("repo: encode %s: %w", v.Key(), err)
	}
	return st.Put(ctx, v.Key(), raw, append([]kvstore.Option{kvstore.WithTTL(v.TTL())}, opts...)...)
}

// Load reads the value stored under key into a new T.
func Load[T any](ctx context.Context, st kvstore.Store, key string) (T, error) {
	var v T
	raw, err := st.Get(ctx, key)
	if err != nil {
		return v, err
	}
	err = json.Unmarshal(raw, &v)
	return v, err
}
