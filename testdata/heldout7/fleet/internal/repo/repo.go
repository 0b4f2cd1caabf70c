// Package repo provides a typed, JSON-encoded collection on top of a
// store.Store. Every Repo owns one key prefix.
package repo

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"example.com/fleet/internal/store"
)

// Option configures a Repo.
type Option func(*config)

type config struct {
	ttl      time.Duration
	pageSize int
}

// WithTTL gives every record written by Save an expiry.
func WithTTL(d time.Duration) Option {
	return func(c *config) { c.ttl = d }
}

// WithPageSize sets the list page size used by Page and IDs.
func WithPageSize(n int) Option {
	return func(c *config) { c.pageSize = n }
}

// Repo is a collection of T stored as JSON under prefix+id.
type Repo[T any] struct {
	s      store.Store
	prefix string
	cfg    config
}

// New returns a Repo over s for keys starting with prefix.
func New[T any](s store.Store, prefix string, opts ...Option) *Repo[T] {
	cfg := config{pageSize: 1000}
	for _, o := range opts {
		o(&cfg)
	}
	return &Repo[T]{s: s, prefix: prefix, cfg: cfg}
}

// Key returns the storage key for id.
func (r *Repo[T]) Key(id string) string { return r.prefix + id }

// Get loads id. It returns store.ErrNotFound when the record does not exist.
func (r *Repo[T]) Get(ctx context.Context, id string) (T, error) {
	var v T
	raw, err := r.s.Get(ctx, r.Key(id))
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, fmt.Errorf("decode %s: %w", r.Key(id), err)
	}
	return v, nil
}

// Save writes v under id with the repository's TTL, if any.
func (r *Repo[T]) Save(ctx context.Context, id string, v T) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var opts []store.PutOption
	if r.cfg.ttl > 0 {
		opts = append(opts, store.WithTTL(r.cfg.ttl))
	}
	return r.s.Put(ctx, r.Key(id), raw, opts...)
}

// Delete removes id.
func (r *Repo[T]) Delete(ctx context.Context, id string) error {
	return r.s.Delete(ctx, r.Key(id))
}

// Update loads id, applies fn and writes the result back.
func (r *Repo[T]) Update(ctx context.Context, id string, fn func(*T) error) error {
	v, err := r.Get(ctx, id)
	if err != nil {
		return err
	}
	if err := fn(&v); err != nil {
		return err
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return r.s.Put(ctx, r.Key(id), raw) // EXPECT kvrace
}

// Page returns up to the configured page size of ids after cursor, and the
// cursor for the next page ("" when done).
func (r *Repo[T]) Page(ctx context.Context, cursor string) ([]string, string, error) {
	p, err := r.s.List(ctx, store.ListOptions{Prefix: r.prefix, Cursor: cursor, Limit: r.cfg.pageSize})
	if err != nil {
		return nil, "", err
	}
	ids := make([]string, 0, len(p.Keys))
	for _, k := range p.Keys {
		ids = append(ids, strings.TrimPrefix(k.Name, r.prefix))
	}
	if p.Complete {
		return ids, "", nil
	}
	return ids, p.Cursor, nil
}

// IDs returns every id in the collection.
func (r *Repo[T]) IDs(ctx context.Context) ([]string, error) {
	var ids []string
	opts := store.ListOptions{Prefix: r.prefix, Limit: r.cfg.pageSize}
	for {
		p, err := r.s.List(ctx, opts) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range p.Keys {
			ids = append(ids, strings.TrimPrefix(k.Name, r.prefix))
		}
		if p.Complete {
			return ids, nil
		}
		opts.Cursor = p.Cursor
	}
}
