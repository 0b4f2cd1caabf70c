// Package repo provides a typed JSON repository over a kvstore.Store.
package repo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"example.com/sorrel/internal/kvstore"
)

// ErrNotFound is returned when a record does not exist.
var ErrNotFound = kvstore.ErrNotFound

const maxScanPages = 50

// Repo stores values of type T under prefix+id.
type Repo[T any] struct {
	store    kvstore.Store
	prefix   string
	defaults []kvstore.Option
}

// Option configures a Repo. Storage options such as kvstore.WithTTL given to
// Defaults become defaults for every Put.
type Option interface {
	applyRepo(*[]kvstore.Option)
}

type storeDefaults []kvstore.Option

func (o storeDefaults) applyRepo(s *[]kvstore.Option) { *s = append(*s, o...) }

// Defaults wraps storage options applied to every write.
func Defaults(opts ...kvstore.Option) Option { return storeDefaults(opts) }

// New returns a repository for records of type T stored under prefix.
func New[T any](st kvstore.Store, prefix string, opts ...Option) *Repo[T] {
	r := &Repo[T]{store: st, prefix: prefix}
	for _, o := range opts {
		o.applyRepo(&r.defaults)
	}
	return r
}

// Key returns the storage key of id.
func (r *Repo[T]) Key(id string) string { return r.prefix + id }

// Get loads the record with id.
func (r *Repo[T]) Get(ctx context.Context, id string, opts ...kvstore.Option) (T, error) {
	var zero T
	raw, err := r.store.Get(ctx, r.Key(id), opts...)
	if err != nil {
		return zero, err
	}
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		return zero, fmt.Errorf("repo: decode %s: %w", r.Key(id), err)
	}
	return v, nil
}

// Find is Get that reports a missing record as ok == false.
func (r *Repo[T]) Find(ctx context.Context, id string) (v T, ok bool, err error) {
	v, err = r.Get(ctx, id)
	switch {
	case errors.Is(err, ErrNotFound):
		return v, false, nil
	case err != nil:
		return v, false, err
	}
	return v, true, nil
}

// Put writes v under id with the repository defaults followed by opts.
func (r *Repo[T]) Put(ctx context.Context, id string, v T, opts ...kvstore.Option) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("repo: encode %s: %w", r.Key(id), err)
	}
	all := append(slices.Clip(r.defaults), opts...)
	return r.store.Put(ctx, r.Key(id), raw, all...)
}

// Delete removes the record with id.
func (r *Repo[T]) Delete(ctx context.Context, id string) error {
	return r.store.Delete(ctx, r.Key(id))
}

// Page returns one page of ids and the cursor of the next page ("" when done).
func (r *Repo[T]) Page(ctx context.Context, cursor string, limit int) ([]string, string, error) {
	page, err := r.store.List(ctx, r.prefix, kvstore.WithCursor(cursor), kvstore.WithLimit(min(limit, 1000)))
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

// IDs returns the ids of every record in the repository.
func (r *Repo[T]) IDs(ctx context.Context) ([]string, error) {
	var ids []string
	cursor := ""
	for range maxScanPages {
		page, err := r.store.List(ctx, r.prefix, kvstore.WithCursor(cursor)) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		if len(page.Keys) == 0 {
			break
		}
		for _, k := range page.Keys {
			ids = append(ids, strings.TrimPrefix(k.Name, r.prefix))
		}
		cursor = page.Cursor
	}
	return ids, nil
}
