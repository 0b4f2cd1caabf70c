// Package repo stores JSON documents in a store.Store under a key prefix.
package repo

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"example.com/gateway/internal/store"
)

// Keyer is implemented by documents that know their own id.
type Keyer interface{ Key() string }

type options struct {
	ttl      time.Duration
	metadata func(any) map[string]any
}

// Option configures a Repo.
type Option func(*options)

// WithDefaultTTL sets the lifetime of every document the repo writes.
func WithDefaultTTL(d time.Duration) Option { return func(o *options) { o.ttl = d } }

// WithMetadata derives list metadata from each document.
func WithMetadata(fn func(any) map[string]any) Option { return func(o *options) { o.metadata = fn } }

// Repo is a typed collection of T under prefix.
type Repo[T Keyer] struct {
	st     store.Store
	prefix string
	opts   options
}

// New returns a repo for T.
func New[T Keyer](st store.Store, prefix string, opts ...Option) *Repo[T] {
	r := &Repo[T]{st: st, prefix: prefix}
	for _, fn := range opts {
		fn(&r.opts)
	}
	return r
}

func (r *Repo[T]) key(id string) string { return r.prefix + id }

// Get loads the document with the given id.
func (r *Repo[T]) Get(ctx context.Context, id string) (T, error) {
	return GetJSON[T](ctx, r.st, r.key(id))
}

// Save writes v under its own key.
func (r *Repo[T]) Save(ctx context.Context, v T) error {
	var opts []store.PutOption
	if r.opts.ttl > 0 {
		opts = append(opts, store.WithTTL(r.opts.ttl))
	}
	if r.opts.metadata != nil {
		opts = append(opts, store.WithMetadata(r.opts.metadata(v)))
	}
	return PutJSON(ctx, r.st, r.key(v.Key()), v, opts...)
}

// Delete removes the document with the given id.
func (r *Repo[T]) Delete(ctx context.Context, id string) error {
	return r.st.Delete(ctx, r.key(id))
}

// IDs returns one page of ids and the cursor for the next page ("" when done).
func (r *Repo[T]) IDs(ctx context.Context, cursor string, limit int) ([]string, string, error) {
	page, err := r.st.List(ctx, store.Query{Prefix: r.prefix, Cursor: cursor, Limit: limit})
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

// GetJSON reads and decodes one document. A missing key comes back as an
// error wrapping store.ErrNotFound.
func GetJSON[T any](ctx context.Context, rd store.Reader, key string) (T, error) {
	var v T
	raw, err := rd.Get(ctx, key)
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, fmt.Errorf("decode %s: %w", key, err)
	}
	return v, nil
}

// PutJSON encodes and writes one document.
func PutJSON[T any](ctx context.Context, w store.Writer, key string, v T, opts ...store.PutOption) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	return w.Put(ctx, key, b, opts...)
}
