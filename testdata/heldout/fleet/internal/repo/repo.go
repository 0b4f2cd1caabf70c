// Package repo provides a small generic JSON repository over storage.Store.
package repo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"example.com/fleet/internal/storage"
)

// ErrNotFound is returned when the record does not exist.
var ErrNotFound = storage.ErrNotFound

// GetJSON reads key from s and decodes it into a T.
func GetJSON[T any](ctx context.Context, s storage.Store, key string) (T, error) {
	var zero T
	raw, err := s.Get(ctx, key)
	if err != nil {
		return zero, err
	}
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		return zero, fmt.Errorf("decode %q: %w", key, err)
	}
	return v, nil
}

// PutJSON encodes v and writes it under key.
func PutJSON[T any](ctx context.Context, s storage.Store, key string, v T, ttl time.Duration) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %q: %w", key, err)
	}
	return s.Set(ctx, key, raw, ttl)
}

// Option configures a Repo.
type Option func(*options)

type options struct {
	ttl    time.Duration
	logger *slog.Logger
}

// WithTTL makes every record written by the repo expire after ttl.
func WithTTL(ttl time.Duration) Option { return func(o *options) { o.ttl = ttl } }

// WithLogger sets the repo's logger.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// Repo stores values of type T as JSON under prefix+id.
type Repo[T any] struct {
	store  storage.Store
	prefix string
	ttl    time.Duration
	log    *slog.Logger
}

// NewRepo returns a repository rooted at prefix.
func NewRepo[T any](s storage.Store, prefix string, opts ...Option) *Repo[T] {
	o := options{logger: slog.Default()}
	for _, fn := range opts {
		fn(&o)
	}
	return &Repo[T]{store: s, prefix: prefix, ttl: o.ttl, log: o.logger}
}

func (r *Repo[T]) key(id string) string { return r.prefix + id }

// Get returns the record for id, or ErrNotFound.
func (r *Repo[T]) Get(ctx context.Context, id string) (T, error) {
	return GetJSON[T](ctx, r.store, r.key(id))
}

// Put writes v under id with the repo's TTL.
func (r *Repo[T]) Put(ctx context.Context, id string, v T) error {
	return PutJSON(ctx, r.store, r.key(id), v, r.ttl)
}

// PutTTL writes v under id with an explicit TTL instead of the repo default.
func (r *Repo[T]) PutTTL(ctx context.Context, id string, v T, ttl time.Duration) error {
	return PutJSON(ctx, r.store, r.key(id), v, ttl)
}

// Delete removes id. Deleting a missing record is not an error.
func (r *Repo[T]) Delete(ctx context.Context, id string) error {
	return r.store.Delete(ctx, r.key(id))
}

// Exists reports whether id is present.
func (r *Repo[T]) Exists(ctx context.Context, id string) (bool, error) {
	_, err := r.store.Get(ctx, r.key(id))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, storage.ErrNotFound):
		return false, nil
	default:
		return false, err
	}
}

// Update loads id, applies fn and stores the result. A missing record starts
// from the zero value of T.
func (r *Repo[T]) Update(ctx context.Context, id string, fn func(*T) error) (T, error) {
	cur, err := r.Get(ctx, id)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return cur, err
	}
	if err := fn(&cur); err != nil {
		return cur, err
	}
	if err := r.Put(ctx, id, cur); err != nil { // EXPECT kvrace
		return cur, err
	}
	r.log.DebugContext(ctx, "repo update", "key", r.key(id))
	return cur, nil
}

// GetOrLoad is a read-through cache: on a miss it calls load and stores the
// result with the repo TTL.
func (r *Repo[T]) GetOrLoad(ctx context.Context, id string, load func(context.Context, string) (T, error)) (T, error) {
	v, err := r.Get(ctx, id)
	if err == nil {
		return v, nil
	}
	if !errors.Is(err, storage.ErrNotFound) {
		r.log.WarnContext(ctx, "cache read failed, loading from source", "key", r.key(id), "err", err)
	}
	v, err = load(ctx, id)
	if err != nil {
		return v, err
	}
	if err := r.Put(ctx, id, v); err != nil {
		r.log.WarnContext(ctx, "cache fill failed", "key", r.key(id), "err", err)
	}
	return v, nil
}
