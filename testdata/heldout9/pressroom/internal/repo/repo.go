// Package repo stores JSON documents in a store.Store under a key prefix.
package repo

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"example.com/pressroom/internal/store"
)

// Keyer is implemented by every document type; Key is the part after the
// repository prefix.
type Keyer interface {
	Key() string
}

// minTTL is the shortest expiry KV accepts.
const minTTL = time.Minute

// Repo is a typed collection of documents.
type Repo[T Keyer] struct {
	st     store.Store
	prefix string
	ttl    time.Duration
}

// Option configures a Repo.
type Option func(*settings)

type settings struct{ ttl time.Duration }

// WithTTL sets the default lifetime of saved documents.
func WithTTL(d time.Duration) Option { return func(s *settings) { s.ttl = d } }

// New returns a repository of T under prefix.
func New[T Keyer](st store.Store, prefix string, opts ...Option) *Repo[T] {
	var s settings
	for _, o := range opts {
		o(&s)
	}
	return &Repo[T]{st: st, prefix: prefix, ttl: s.ttl}
}

// Prefix returns the key prefix of the collection.
func (r *Repo[T]) Prefix() string { return r.prefix }

func (r *Repo[T]) key(id string) string { return r.prefix + id }

// Get loads the document with the given id. A missing document is reported
// as an error wrapping store.ErrNotFound.
func (r *Repo[T]) Get(ctx context.Context, id string) (T, error) {
	var v T
	raw, ok, err := r.st.Get(ctx, r.key(id))
	if err != nil {
		return v, err
	}
	if !ok {
		return v, fmt.Errorf("%s%s: %w", r.prefix, id, store.ErrNotFound)
	}
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return v, fmt.Errorf("decode %s%s: %w", r.prefix, id, err)
	}
	return v, nil
}

// Save writes v with the repository's default lifetime.
func (r *Repo[T]) Save(ctx context.Context, v T) error { return r.SaveFor(ctx, v, r.ttl) }

// SaveFor writes v with an explicit lifetime (0 keeps it forever).
func (r *Repo[T]) SaveFor(ctx context.Context, v T, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s%s: %w", r.prefix, v.Key(), err)
	}
	var opts []store.PutOption
	if ttl > 0 {
		opts = append(opts, store.WithTTL(max(ttl, minTTL)))
	}
	return r.st.Put(ctx, r.key(v.Key()), string(b), opts...)
}

// Delete removes the document with the given id.
func (r *Repo[T]) Delete(ctx context.Context, id string) error {
	return r.st.Delete(ctx, r.key(id))
}

// Page lists one page of ids; the caller passes the returned cursor back.
func (r *Repo[T]) Page(ctx context.Context, cursor string, limit int) (ids []string, next string, err error) {
	p, err := r.st.List(ctx, r.prefix, cursor, limit)
	if err != nil {
		return nil, "", err
	}
	for _, k := range p.Keys {
		ids = append(ids, strings.TrimPrefix(k, r.prefix))
	}
	if !p.Complete {
		next = p.Cursor
	}
	return ids, next, nil
}
