// Package repo is a small JSON document repository over store.Store.
package repo

import (
	"context"
	"fmt"
	"time"

	"example.com/arcade/internal/store"
)

type settings struct {
	ttl time.Duration
}

type Option func(*settings)

// Expire gives every document written by the repository a TTL.
func Expire(d time.Duration) Option { return func(s *settings) { s.ttl = d } }

// Repo stores documents of type T under prefix+id.
type Repo[T any] struct {
	s      store.Store
	prefix string
	cfg    settings
}

func New[T any](s store.Store, prefix string, opts ...Option) *Repo[T] {
	r := &Repo[T]{s: s, prefix: prefix}
	for _, o := range opts {
		o(&r.cfg)
	}
	return r
}

func (r *Repo[T]) Key(id string) string { return r.prefix + id }

// ID strips the prefix from a listed key.
func (r *Repo[T]) ID(key string) string { return key[len(r.prefix):] }

func (r *Repo[T]) Get(ctx context.Context, id string) (T, bool, error) {
	return store.GetJSON[T](ctx, r.s, r.Key(id))
}

func (r *Repo[T]) Put(ctx context.Context, id string, v T) error {
	var opts []store.PutOption
	if r.cfg.ttl > 0 {
		opts = append(opts, store.WithTTL(r.cfg.ttl))
	}
	return store.PutJSON(ctx, r.s, r.Key(id), v, opts...)
}

func (r *Repo[T]) Delete(ctx context.Context, id string) error {
	return r.s.Delete(ctx, r.Key(id))
}

// Update loads the document, applies fn and writes it back.
func (r *Repo[T]) Update(ctx context.Context, id string, fn func(*T) error) error {
	v, found, err := r.Get(ctx, id)
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("repo: %s: %w", r.Key(id), store.ErrNotFound)
	}
	if err := fn(&v); err != nil {
		return err
	}
	return r.Put(ctx, id, v) // EXPECT kvrace
}

// Page lists one page of ids.
func (r *Repo[T]) Page(ctx context.Context, cursor string, size int) ([]string, string, error) {
	p, err := r.s.List(ctx, r.prefix, store.After(cursor), store.PageSize(size))
	if err != nil {
		return nil, "", err
	}
	ids := make([]string, len(p.Keys))
	for i, k := range p.Keys {
		ids[i] = r.ID(k)
	}
	if p.Complete {
		return ids, "", nil
	}
	return ids, p.Cursor, nil
}
