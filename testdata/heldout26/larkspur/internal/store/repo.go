// Package store provides typed repositories over a kvstore.Store. A Repo
// owns one key prefix and encodes its values as JSON.
package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"example.com/larkspur/internal/kvstore"
)

// Repo is a typed view over every key that starts with one prefix.
type Repo[T any] struct {
	st       kvstore.Store
	prefix   string
	defaults []kvstore.Option
}

// New returns a Repo for keys under prefix. defaults apply to every call
// and are applied before per-call options.
func New[T any](st kvstore.Store, prefix string, defaults ...kvstore.Option) *Repo[T] {
	return &Repo[T]{st: st, prefix: prefix, defaults: defaults}
}

// Key returns the full key of id.
func (r *Repo[T]) Key(id string) string { return r.prefix + id }

func (r *Repo[T]) opts(extra []kvstore.Option) []kvstore.Option {
	return append(slices.Clone(r.defaults), extra...)
}

// Get loads id. It returns kvstore.ErrNotFound when id does not exist.
func (r *Repo[T]) Get(ctx context.Context, id string, opts ...kvstore.Option) (T, error) {
	var v T
	b, err := r.st.Get(ctx, r.Key(id), opts...)
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return v, fmt.Errorf("store: decode %s%s: %w", r.prefix, id, err)
	}
	return v, nil
}

// Put writes v under id with the Repo defaults followed by opts.
func (r *Repo[T]) Put(ctx context.Context, id string, v T, opts ...kvstore.Option) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("store: encode %s%s: %w", r.prefix, id, err)
	}
	return r.st.Put(ctx, r.Key(id), b, r.opts(opts)...)
}

// IDs returns one page of IDs and the cursor of the next page, which is
// empty when the listing is complete.
func (r *Repo[T]) IDs(ctx context.Context, cursor string, limit int) ([]string, string, error) {
	page, err := r.st.List(ctx, r.prefix, kvstore.WithCursor(cursor), kvstore.WithLimit(min(max(limit, 1), 1000)))
	if err != nil {
		return nil, "", err
	}
	ids := make([]string, 0, len(page.Keys))
	for _, k := range page.Keys {
		ids = append(ids, strings.TrimPrefix(k.Name, r.prefix))
	}
	if page.Complete {
		return ids, "", nil
	}
	return ids, page.Cursor, nil
}
