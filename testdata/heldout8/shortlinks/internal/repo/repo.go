// Package repo provides typed JSON collections on top of store.Store.
package repo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"example.com/shortlinks/internal/store"
)

// Repo stores values of type T as JSON under prefix+id.
type Repo[T any] struct {
	st     store.Store
	prefix string
	ttl    time.Duration
}

type Option func(*settings)

type settings struct{ ttl time.Duration }

// WithDefaultTTL applies a TTL to every Save that does not pass its own.
func WithDefaultTTL(d time.Duration) Option {
	return func(s *settings) { s.ttl = d }
}

func New[T any](st store.Store, prefix string, opts ...Option) *Repo[T] {
	var s settings
	for _, o := range opts {
		o(&s)
	}
	return &Repo[T]{st: st, prefix: prefix, ttl: s.ttl}
}

func (r *Repo[T]) key(id string) string { return r.prefix + id }

// Get returns store.ErrNotFound when id is absent.
func (r *Repo[T]) Get(ctx context.Context, id string) (T, error) {
	var v T
	raw, ok, err := r.st.Get(ctx, r.key(id))
	if err != nil {
		return v, err
	}
	if !ok {
		return v, store.ErrNotFound
	}
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return v, fmt.Errorf("repo %s%s: %w", r.prefix, id, err)
	}
	return v, nil
}

// Exists reports whether id is present.
func (r *Repo[T]) Exists(ctx context.Context, id string) (bool, error) {
	_, err := r.Get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

func (r *Repo[T]) Save(ctx context.Context, id string, v T, opts ...store.PutOption) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if len(opts) == 0 && r.ttl > 0 {
		opts = []store.PutOption{store.WithTTL(r.ttl)}
	}
	return r.st.Put(ctx, r.key(id), string(b), opts...)
}

func (r *Repo[T]) Delete(ctx context.Context, id string) error {
	return r.st.Delete(ctx, r.key(id))
}

// Update loads id (or the zero T when absent), applies fn and saves the result.
func (r *Repo[T]) Update(ctx context.Context, id string, fn func(*T) error) error {
	v, err := r.Get(ctx, id)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if err := fn(&v); err != nil {
		return err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return r.st.Put(ctx, r.key(id), string(b)) // EXPECT kvrace
}

// Page returns up to limit ids after cursor and the cursor for the next page
// ("" when there are no more).
func (r *Repo[T]) Page(ctx context.Context, cursor string, limit int) ([]string, string, error) {
	pg, err := r.st.List(ctx, store.ListParams{Prefix: r.prefix, Cursor: cursor, Limit: limit})
	if err != nil {
		return nil, "", err
	}
	ids := make([]string, len(pg.Keys))
	for i, k := range pg.Keys {
		ids[i] = strings.TrimPrefix(k, r.prefix)
	}
	next := pg.Cursor
	if pg.Complete {
		next = ""
	}
	return ids, next, nil
}
