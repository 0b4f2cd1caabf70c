// Package repo provides typed JSON access over a kvstore.Store.
package repo

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"example.com/storefront/internal/kvstore"
)

// GetJSON loads key and decodes it into a T.
func GetJSON[T any](ctx context.Context, s kvstore.Store, key string) (T, error) {
	var v T
	raw, err := s.Get(ctx, key)
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, fmt.Errorf("decode %s: %w", key, err)
	}
	return v, nil
}

// PutJSON encodes v and stores it under key.
func PutJSON[T any](ctx context.Context, s kvstore.Store, key string, v T, opts ...kvstore.PutOption) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	return s.Put(ctx, key, raw, opts...)
}

type settings struct {
	ttl  time.Duration
	meta func(any) map[string]any
}

// Option configures a Repo.
type Option func(*settings)

// WithTTL makes every Save expire after d.
func WithTTL(d time.Duration) Option { return func(s *settings) { s.ttl = d } }

// WithMetadata derives list metadata from the saved value.
func WithMetadata(fn func(any) map[string]any) Option { return func(s *settings) { s.meta = fn } }

// Repo stores Ts under a fixed key prefix.
type Repo[T any] struct {
	store  kvstore.Store
	prefix string
	cfg    settings
}

// New returns a repository for keys prefix+id.
func New[T any](s kvstore.Store, prefix string, opts ...Option) *Repo[T] {
	r := &Repo[T]{store: s, prefix: prefix}
	for _, o := range opts {
		o(&r.cfg)
	}
	return r
}

// Key returns the full key for id.
func (r *Repo[T]) Key(id string) string { return r.prefix + id }

// ID strips the prefix from a listed key.
func (r *Repo[T]) ID(key string) string { return strings.TrimPrefix(key, r.prefix) }

// Get loads id. It returns kvstore.ErrNotFound when absent.
func (r *Repo[T]) Get(ctx context.Context, id string) (T, error) {
	return GetJSON[T](ctx, r.store, r.Key(id))
}

// Save stores v under id with the repository's TTL.
func (r *Repo[T]) Save(ctx context.Context, id string, v T) error {
	var opts []kvstore.PutOption
	if r.cfg.ttl > 0 {
		opts = append(opts, kvstore.WithTTL(r.cfg.ttl))
	}
	if r.cfg.meta != nil {
		opts = append(opts, kvstore.WithMetadata(r.cfg.meta(v)))
	}
	return PutJSON(ctx, r.store, r.Key(id), v, opts...)
}

// Delete removes id.
func (r *Repo[T]) Delete(ctx context.Context, id string) error {
	return r.store.Delete(ctx, r.Key(id))
}

// Page lists one page of ids, returning the cursor for the next call.
func (r *Repo[T]) Page(ctx context.Context, cursor string, limit int) ([]string, string, error) {
	p, err := r.store.List(ctx, r.prefix, cursor, limit)
	if err != nil {
		return nil, "", err
	}
	ids := make([]string, 0, len(p.Keys))
	for _, k := range p.Keys {
		ids = append(ids, r.ID(k.Name))
	}
	return ids, p.Cursor, nil
}
