package store

import (
	"context"
	"strings"
	"time"
)

// Repo is a typed repository of JSON records under a key prefix.
type Repo[T any] struct {
	s      Store
	prefix string
	ttl    time.Duration
	limit  int
}

// RepoOption configures a Repo.
type RepoOption[T any] func(*Repo[T])

// WithTTL gives every saved record a lifetime.
func WithTTL[T any](d time.Duration) RepoOption[T] {
	return func(r *Repo[T]) { r.ttl = d }
}

// WithPageLimit sets how many keys a listing asks for per page.
func WithPageLimit[T any](n int) RepoOption[T] {
	return func(r *Repo[T]) { r.limit = n }
}

// NewRepo builds a repository of T under prefix.
func NewRepo[T any](s Store, prefix string, opts ...RepoOption[T]) *Repo[T] {
	r := &Repo[T]{s: s, prefix: prefix, limit: 1000}
	for _, o := range opts {
		o(r)
	}
	return r
}

// Key returns the storage key for id.
func (r *Repo[T]) Key(id string) string { return r.prefix + id }

// Get loads one record.
func (r *Repo[T]) Get(ctx context.Context, id string) (T, error) {
	return GetJSON[T](ctx, r.s, r.Key(id))
}

// Save writes one record with the repository's lifetime.
func (r *Repo[T]) Save(ctx context.Context, id string, v T) error {
	return PutJSON(ctx, r.s, r.Key(id), v, PutOptions{TTL: r.ttl})
}

// Delete removes one record.
func (r *Repo[T]) Delete(ctx context.Context, id string) error {
	return r.s.Delete(ctx, r.Key(id))
}

// Modify loads a record, applies fn and saves the result.
func (r *Repo[T]) Modify(ctx context.Context, id string, fn func(*T) error) error {
	v, err := r.Get(ctx, id)
	if err != nil {
		return err
	}
	if err := fn(&v); err != nil {
		return err
	}
	return r.Save(ctx, id, v) // EXPECT kvrace
}

// IDs returns one page of record IDs after cursor, and the cursor of the next
// page ("" when there is none).
func (r *Repo[T]) IDs(ctx context.Context, cursor string) ([]string, string, error) {
	p, err := r.s.List(ctx, ListOptions{Prefix: r.prefix, Cursor: cursor, Limit: r.limit})
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
