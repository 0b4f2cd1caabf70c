// Package repo provides typed JSON repositories over a kvstore.Store, one per
// collection of the key space.
package repo

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"example.com/ember/internal/kvstore"
)

// Collection describes one slice of the key space: its name, its key prefix
// and how long its records live (zero means forever).
type Collection struct {
	Name   string
	TTL    time.Duration
	Prefix string
}

// Repository stores values of type T as JSON under Prefix+id.
type Repository[T any] struct {
	store kvstore.Store
	col   Collection
}

// New returns a repository for col.
func New[T any](store kvstore.Store, col Collection) *Repository[T] {
	return &Repository[T]{store: store, col: col}
}

// Key returns the full key of id.
func (r *Repository[T]) Key(id string) string { return r.col.Prefix + id }

func (r *Repository[T]) putOptions() []kvstore.PutOption {
	if r.col.TTL <= 0 {
		return nil
	}
	return []kvstore.PutOption{kvstore.TTL(r.col.TTL)}
}

// Get loads id. It returns kvstore.ErrNotFound when the record is absent.
func (r *Repository[T]) Get(ctx context.Context, id string) (T, error) {
	var v T
	raw, err := r.store.Get(ctx, r.Key(id))
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, fmt.Errorf("%s %s: decode: %w", r.col.Name, id, err)
	}
	return v, nil
}

// Save writes v under id with the collection TTL.
func (r *Repository[T]) Save(ctx context.Context, id string, v T) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("%s %s: encode: %w", r.col.Name, id, err)
	}
	return r.store.Put(ctx, r.Key(id), b, r.putOptions()...)
}

// Delete removes id.
func (r *Repository[T]) Delete(ctx context.Context, id string) error {
	return r.store.Delete(ctx, r.Key(id))
}

// Mutate loads id, applies fn and writes the result back.
func (r *Repository[T]) Mutate(ctx context.Context, id string, fn func(*T) error) error {
	v, err := r.Get(ctx, id)
	if err != nil {
		return err
	}
	if err := fn(&v); err != nil {
		return err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return r.store.Put(ctx, r.Key(id), b, r.putOptions()...) // EXPECT kvrace
}

// Page returns the ids on one page of the collection and the cursor for the
// next page ("" when done). Limit is capped by the adapter.
func (r *Repository[T]) Page(ctx context.Context, cursor string, limit int) ([]string, string, error) {
	page, err := r.store.List(ctx, kvstore.ListQuery{Prefix: r.col.Prefix, Cursor: cursor, Limit: limit})
	if err != nil {
		return nil, "", err
	}
	ids := make([]string, 0, len(page.Keys))
	for _, k := range page.Keys {
		ids = append(ids, k.Name[len(r.col.Prefix):])
	}
	return ids, page.Cursor, nil
}

// All returns every id in the collection.
func (r *Repository[T]) All(ctx context.Context) ([]string, error) {
	var ids []string
	cursor := ""
	for {
		page, err := r.store.List(ctx, kvstore.ListQuery{Prefix: r.col.Prefix, Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range page.Keys {
			ids = append(ids, k.Name[len(r.col.Prefix):])
		}
		if page.Done() {
			return ids, nil
		}
		cursor = page.Cursor
	}
}

// Scan visits at most maxPages pages of ids and reports whether more remain.
func (r *Repository[T]) Scan(ctx context.Context, maxPages int, visit func(ids []string) error) (bool, error) {
	cursor := ""
	for range maxPages {
		page, err := r.store.List(ctx, kvstore.ListQuery{Prefix: r.col.Prefix, Cursor: cursor})
		if err != nil {
			return false, err
		}
		ids := make([]string, 0, len(page.Keys))
		for _, k := range page.Keys {
			ids = append(ids, k.Name[len(r.col.Prefix):])
		}
		if err := visit(ids); err != nil {
			return false, err
		}
		if page.Done() {
			return false, nil
		}
		cursor = page.Cursor
	}
	return true, nil
}
