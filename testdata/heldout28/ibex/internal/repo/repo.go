// Package repo is a generic JSON repository over any key-value backend.
package repo

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Backend is the storage port a repository needs.
type Backend interface {
	Lookup(ctx context.Context, key string) ([]byte, bool, error)
	Save(ctx context.Context, key string, val []byte, ttl time.Duration) error
	Remove(ctx context.Context, key string) error
}

type settings struct {
	prefix string
	ttl    time.Duration
	name   string
}

// Option configures a Repo.
type Option func(*settings)

// WithPrefix sets the key prefix, e.g. "show:".
func WithPrefix(p string) Option { return func(s *settings) { s.prefix = p } }

// WithTTL makes every record expire ttl after it is written.
func WithTTL(ttl time.Duration) Option { return func(s *settings) { s.ttl = ttl } }

// Repo stores values of type T as JSON under prefix+id.
type Repo[T any] struct {
	be  Backend
	cfg settings
}

// New returns a repository of T over be.
func New[T any](be Backend, opts ...Option) *Repo[T] {
	var cfg settings
	for _, o := range opts {
		o(&cfg)
	}
	cfg.name = fmt.Sprintf("%T", *new(T))
	return &Repo[T]{be: be, cfg: cfg}
}

// Key returns the storage key for id.
func (r *Repo[T]) Key(id string) string { return r.cfg.prefix + id }

// Get loads id. ok is false if it does not exist.
func (r *Repo[T]) Get(ctx context.Context, id string) (v T, ok bool, err error) {
	raw, ok, err := r.be.Lookup(ctx, r.Key(id))
	if err != nil || !ok {
		return v, false, err
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, false, fmt.Errorf("repo %s: decode %s: %w", r.cfg.name, id, err)
	}
	return v, true, nil
}

// Put stores v under id.
func (r *Repo[T]) Put(ctx context.Context, id string, v T) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("repo %s: encode %s: %w", r.cfg.name, id, err)
	}
	return r.be.Save(ctx, r.Key(id), raw, r.cfg.ttl)
}

// Delete removes id.
func (r *Repo[T]) Delete(ctx context.Context, id string) error {
	return r.be.Remove(ctx, r.Key(id))
}

// Update loads id, applies fn and stores the result. A missing record is
// passed to fn as the zero value.
func (r *Repo[T]) Update(ctx context.Context, id string, fn func(*T) error) (T, error) {
	v, _, err := r.Get(ctx, id)
	if err != nil {
		return v, err
	}
	if err := fn(&v); err != nil {
		return v, err
	}
	return v, r.Put(ctx, id, v) // EXPECT kvrace
}

// GetOrLoad returns id from the repository, or calls load on a miss and
// stores what it returns.
func (r *Repo[T]) GetOrLoad(ctx context.Context, id string, load func(context.Context, string) (T, error)) (T, error) {
	v, ok, err := r.Get(ctx, id)
	if err != nil || ok {
		return v, err
	}
	if v, err = load(ctx, id); err != nil {
		return v, err
	}
	return v, r.Put(ctx, id, v)
}
