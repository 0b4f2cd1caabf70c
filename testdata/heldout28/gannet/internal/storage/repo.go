package storage

import (
	"context"
	"fmt"
	"time"

	"example.com/gannet/internal/codec"
)

// Repo stores values of type T as versioned JSON envelopes under a prefix.
type Repo[T any] struct {
	kv         KV
	kind       string
	keyOf      func(id string) string
	schema     int
	migrations codec.Migrations
	ttl        time.Duration
	rewriteOld bool
}

// RepoOption configures a Repo.
type RepoOption[T any] func(*Repo[T])

// WithTTL sets the lifetime of every value the repo writes.
func WithTTL[T any](d time.Duration) RepoOption[T] {
	return func(r *Repo[T]) { r.ttl = d }
}

// WithSchema sets the current schema version and the upgrades to it.
func WithSchema[T any](v int, m codec.Migrations) RepoOption[T] {
	return func(r *Repo[T]) { r.schema, r.migrations = v, m }
}

// WithKeys overrides how ids map to keys.
func WithKeys[T any](fn func(id string) string) RepoOption[T] {
	return func(r *Repo[T]) { r.keyOf = fn }
}

// RewriteMigrated makes Get write back records it had to migrate.
func RewriteMigrated[T any]() RepoOption[T] {
	return func(r *Repo[T]) { r.rewriteOld = true }
}

// NewRepo returns a repository of kind over kv.
func NewRepo[T any](kv KV, kind string, opts ...RepoOption[T]) *Repo[T] {
	r := &Repo[T]{
		kv:     kv,
		kind:   kind,
		schema: 1,
		keyOf:  func(id string) string { return kind + ":" + id },
	}
	for _, o := range opts {
		o(r)
	}
	return r
}

// Key returns the store key of id.
func (r *Repo[T]) Key(id string) string { return r.keyOf(id) }

// Get loads the value stored for id.
func (r *Repo[T]) Get(ctx context.Context, id string) (T, bool, error) {
	var zero, v T
	b, ok, err := r.kv.Get(ctx, r.keyOf(id))
	if err != nil || !ok {
		return zero, false, err
	}
	migrated, err := codec.Unwrap(b, &v, r.kind, r.schema, r.migrations)
	if err != nil {
		return zero, false, err
	}
	if migrated && r.rewriteOld {
		// Best effort: the next reader will migrate again if this fails.
		_ = r.Put(ctx, id, v) // DEBATABLE kvrace
	}
	return v, true, nil
}

// Put stores v for id with the repo's lifetime.
func (r *Repo[T]) Put(ctx context.Context, id string, v T) error {
	b, err := codec.Wrap(r.kind, r.schema, v)
	if err != nil {
		return err
	}
	if err := codec.CheckSize(b); err != nil {
		return fmt.Errorf("%s %s: %w", r.kind, id, err)
	}
	return r.kv.Put(ctx, r.keyOf(id), b, PutOptions{TTL: r.ttl})
}

// Delete removes the value of id.
func (r *Repo[T]) Delete(ctx context.Context, id string) error {
	return r.kv.Delete(ctx, r.keyOf(id))
}

// Scan lists up to maxPages pages of keys under prefix and calls fn for
// each. It returns the cursor to resume from, empty when done.
func Scan(ctx context.Context, l Lister, prefix string, maxPages int, fn func(ListedKey) error) (string, error) {
	cursor := ""
	for page := 0; page < maxPages; page++ {
		res, err := l.List(ctx, ListRequest{Prefix: prefix, Cursor: cursor, Limit: 1000})
		if err != nil {
			return cursor, err
		}
		for _, k := range res.Keys {
			if err := fn(k); err != nil {
				return cursor, err
			}
		}
		if res.Complete {
			return "", nil
		}
		cursor = res.Cursor
	}
	return cursor, nil
}
