// Package repo holds typed JSON helpers on top of the storage port.
package repo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"example.com/authgw/internal/kvport"
)

// GetJSON loads key and decodes it into a T.
func GetJSON[T any](ctx context.Context, r kvport.Reader, key string, opts ...kvport.ReadOption) (T, error) {
	var v T
	raw, err := r.Get(ctx, key, opts...)
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, fmt.Errorf("decode %s: %w", key, err)
	}
	return v, nil
}

// PutJSON encodes v and stores it under key.
func PutJSON[T any](ctx context.Context, w kvport.Writer, key string, v T, opts ...kvport.WriteOption) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	return w.Put(ctx, key, raw, opts...)
}

// Option configures a Repo.
type Option func(*settings)

type settings struct {
	ttl      time.Duration
	cacheTTL time.Duration
}

// WithTTL makes every Save expire after d.
func WithTTL(d time.Duration) Option { return func(s *settings) { s.ttl = d } }

// WithReadCache lets reads be served from the edge cache for d.
func WithReadCache(d time.Duration) Option { return func(s *settings) { s.cacheTTL = d } }

// Repo stores T values as JSON under prefix+id.
type Repo[T any] struct {
	store  kvport.Store
	prefix string
	cfg    settings
}

// New returns a Repo rooted at prefix.
func New[T any](store kvport.Store, prefix string, opts ...Option) *Repo[T] {
	r := &Repo[T]{store: store, prefix: prefix}
	for _, o := range opts {
		o(&r.cfg)
	}
	return r
}

func (r *Repo[T]) key(id string) string { return r.prefix + id }

func (r *Repo[T]) writeOpts() []kvport.WriteOption {
	if r.cfg.ttl <= 0 {
		return nil
	}
	return []kvport.WriteOption{kvport.WithTTL(r.cfg.ttl)}
}

func (r *Repo[T]) readOpts() []kvport.ReadOption {
	if r.cfg.cacheTTL <= 0 {
		return nil
	}
	return []kvport.ReadOption{kvport.WithCacheTTL(r.cfg.cacheTTL)}
}

// Get loads id.
func (r *Repo[T]) Get(ctx context.Context, id string) (T, error) {
	return GetJSON[T](ctx, r.store, r.key(id), r.readOpts()...)
}

// Save stores v under id.
func (r *Repo[T]) Save(ctx context.Context, id string, v T) error {
	return PutJSON(ctx, r.store, r.key(id), v, r.writeOpts()...)
}

// Delete removes id.
func (r *Repo[T]) Delete(ctx context.Context, id string) error {
	return r.store.Delete(ctx, r.key(id))
}

// Update loads id (or the zero T when absent), lets fn change it and stores
// the result. Returning ErrSkip from fn leaves the stored value untouched.
func (r *Repo[T]) Update(ctx context.Context, id string, fn func(*T) error) (T, error) {
	cur, err := r.Get(ctx, id)
	if err != nil && !kvport.IsNotFound(err) {
		return cur, err
	}
	if err := fn(&cur); err != nil {
		if errors.Is(err, ErrSkip) {
			return cur, nil
		}
		return cur, err
	}
	return cur, PutJSON(ctx, r.store, r.key(id), cur, r.writeOpts()...) // EXPECT kvrace
}

// ErrSkip tells Update there is nothing to write.
var ErrSkip = errors.New("repo: skip write")
