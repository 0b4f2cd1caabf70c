// Package repo provides a typed JSON repository over a domain.Store.
package repo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"example.com/tickets/internal/domain"
)

type config struct {
	ttl time.Duration
	log *slog.Logger
}

// Option configures a Repo.
type Option func(*config)

// WithTTL sets how long entries written through Put live.
func WithTTL(d time.Duration) Option { return func(c *config) { c.ttl = d } }

// WithLogger sets the repository logger.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.log = l } }

// Repo stores values of T as JSON under prefix+id.
type Repo[T any] struct {
	store  domain.Store
	prefix string
	ttl    time.Duration
	log    *slog.Logger
}

func NewRepo[T any](s domain.Store, prefix string, opts ...Option) *Repo[T] {
	cfg := config{log: slog.Default()}
	for _, o := range opts {
		o(&cfg)
	}
	return &Repo[T]{store: s, prefix: prefix, ttl: cfg.ttl, log: cfg.log}
}

func (r *Repo[T]) key(id string) string { return r.prefix + id }

// Get returns domain.ErrNotFound when id is absent.
func (r *Repo[T]) Get(ctx context.Context, id string) (*T, error) {
	return GetJSON[T](ctx, r.store, r.key(id))
}

// Put writes v with the repository's default TTL.
func (r *Repo[T]) Put(ctx context.Context, id string, v *T) error {
	return PutJSON(ctx, r.store, r.key(id), v, r.ttl)
}

// PutTTL writes v with an explicit TTL.
func (r *Repo[T]) PutTTL(ctx context.Context, id string, v *T, ttl time.Duration) error {
	return PutJSON(ctx, r.store, r.key(id), v, ttl)
}

func (r *Repo[T]) Delete(ctx context.Context, id string) error {
	return r.store.Delete(ctx, r.key(id))
}

// GetOrLoad is a read-through: on a miss it calls load and caches the result.
func (r *Repo[T]) GetOrLoad(ctx context.Context, id string, load func(context.Context) (*T, error)) (*T, error) {
	v, err := r.Get(ctx, id)
	if err == nil {
		return v, nil
	}
	if !errors.Is(err, domain.ErrNotFound) {
		r.log.WarnContext(ctx, "cache read failed, loading from origin", "key", r.key(id), "err", err)
	}
	v, err = load(ctx)
	if err != nil {
		return nil, err
	}
	if err := r.Put(ctx, id, v); err != nil {
		r.log.WarnContext(ctx, "cache fill failed", "key", r.key(id), "err", err)
	}
	return v, nil
}

// Update loads id, applies mutate and stores the result.
func (r *Repo[T]) Update(ctx context.Context, id string, mutate func(*T) error) (*T, error) {
	v, err := r.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := mutate(v); err != nil {
		return nil, err
	}
	if err := r.Put(ctx, id, v); err != nil { // EXPECT kvrace
		return nil, fmt.Errorf("repo: update %s: %w", r.key(id), err)
	}
	return v, nil
}

// GetJSON reads key and decodes it into a new T.
func GetJSON[T any](ctx context.Context, s domain.Store, key string) (*T, error) {
	raw, err := s.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	v := new(T)
	if err := json.Unmarshal(raw, v); err != nil {
		return nil, fmt.Errorf("repo: decode %s: %w", key, err)
	}
	return v, nil
}

// PutJSON encodes v and writes it to key.
func PutJSON[T any](ctx context.Context, s domain.Store, key string, v T, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("repo: encode %s: %w", key, err)
	}
	return s.Set(ctx, key, b, ttl)
}
