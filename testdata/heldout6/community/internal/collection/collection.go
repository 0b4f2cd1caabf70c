// Package collection is a small typed repository over store.KV: every
// document of type T lives under prefix+id as JSON.
package collection

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"example.com/community/internal/store"
)

type config struct {
	ttl      time.Duration
	pageSize int
}

// Option configures a Collection.
type Option func(*config)

// WithTTL gives every document written through Put a relative expiry.
func WithTTL(d time.Duration) Option { return func(c *config) { c.ttl = d } }

// WithPageSize sets the list page size used by Page and Keys.
func WithPageSize(n int) Option { return func(c *config) { c.pageSize = n } }

// Collection stores values of type T under a key prefix.
type Collection[T any] struct {
	kv     store.KV
	prefix string
	cfg    config
}

// New builds a collection. prefix should end with a separator, e.g. "user:".
func New[T any](kv store.KV, prefix string, opts ...Option) *Collection[T] {
	cfg := config{pageSize: 100}
	for _, o := range opts {
		o(&cfg)
	}
	return &Collection[T]{kv: kv, prefix: prefix, cfg: cfg}
}

func (c *Collection[T]) key(id string) string { return c.prefix + id }

func (c *Collection[T]) putOpts(extra []store.PutOption) []store.PutOption {
	if len(extra) == 0 && c.cfg.ttl > 0 {
		return []store.PutOption{store.WithTTL(c.cfg.ttl)}
	}
	return extra
}

// Get loads the document for id.
func (c *Collection[T]) Get(ctx context.Context, id string) (v T, err error) {
	raw, err := c.kv.Get(ctx, c.key(id))
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, fmt.Errorf("collection %s: decode %s: %w", c.prefix, id, err)
	}
	return v, nil
}

// Exists reports whether id is present.
func (c *Collection[T]) Exists(ctx context.Context, id string) (bool, error) {
	_, err := c.kv.Get(ctx, c.key(id))
	if store.IsNotFound(err) {
		return false, nil
	}
	return err == nil, err
}

// Put writes v with the collection's default expiry, or with opts if given.
func (c *Collection[T]) Put(ctx context.Context, id string, v T, opts ...store.PutOption) error {
	return store.PutJSON(ctx, c.kv, c.key(id), v, c.putOpts(opts)...)
}

// Delete removes id.
func (c *Collection[T]) Delete(ctx context.Context, id string) error {
	return c.kv.Delete(ctx, c.key(id))
}

// Update loads id (or the zero value when missing), applies fn and writes
// the result back.
func (c *Collection[T]) Update(ctx context.Context, id string, fn func(*T) error) (T, error) {
	cur, err := c.Get(ctx, id)
	if err != nil && !store.IsNotFound(err) {
		return cur, err
	}
	if err := fn(&cur); err != nil {
		return cur, err
	}
	raw, err := json.Marshal(cur)
	if err != nil {
		return cur, err
	}
	return cur, c.kv.Put(ctx, c.key(id), raw, c.putOpts(nil)...) // EXPECT kvrace
}

// Page returns one page of ids and the cursor for the next one ("" when done).
func (c *Collection[T]) Page(ctx context.Context, cursor string, limit int) ([]string, string, error) {
	if limit <= 0 || limit > c.cfg.pageSize {
		limit = c.cfg.pageSize
	}
	page, err := c.kv.List(ctx, store.ListOptions{Prefix: c.prefix, Cursor: cursor, Limit: limit})
	if err != nil {
		return nil, "", err
	}
	ids := c.trim(page.Keys)
	if page.Complete {
		return ids, "", nil
	}
	return ids, page.Cursor, nil
}

// Keys returns every id in the collection.
func (c *Collection[T]) Keys(ctx context.Context) ([]string, error) {
	var ids []string
	opts := store.ListOptions{Prefix: c.prefix, Limit: c.cfg.pageSize}
	for {
		page, err := c.kv.List(ctx, opts) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		ids = append(ids, c.trim(page.Keys)...)
		if page.Complete {
			return ids, nil
		}
		opts.Cursor = page.Cursor
	}
}

func (c *Collection[T]) trim(keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = strings.TrimPrefix(k, c.prefix)
	}
	return out
}
