package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"
)

// GetJSON loads key from s and decodes it into a T.
func GetJSON[T any](ctx context.Context, s Store, key string) (T, error) {
	var v T
	raw, err := s.Get(ctx, key)
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, fmt.Errorf("storage: decode %q: %w", key, err)
	}
	return v, nil
}

// PutJSON encodes v and writes it under key with the given ttl.
func PutJSON[T any](ctx context.Context, s Store, key string, v T, ttl time.Duration) error {
	buf, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("storage: encode %q: %w", key, err)
	}
	return s.Set(ctx, key, buf, ttl)
}

// RepoOption configures a Repo.
type RepoOption func(*repoConfig)

type repoConfig struct {
	ttl    time.Duration
	logger *slog.Logger
}

// WithTTL sets the expiration applied to every Put made through the repo.
func WithTTL(d time.Duration) RepoOption {
	return func(c *repoConfig) { c.ttl = d }
}

// WithLogger sets the logger used for repo diagnostics.
func WithLogger(l *slog.Logger) RepoOption {
	return func(c *repoConfig) { c.logger = l }
}

// Repo is a typed, prefix-scoped view over a Store. Values are stored as JSON.
type Repo[T any] struct {
	store  Store
	prefix string
	ttl    time.Duration
	log    *slog.Logger
}

// NewRepo builds a repository for T whose keys are prefix+id.
func NewRepo[T any](s Store, prefix string, opts ...RepoOption) *Repo[T] {
	cfg := repoConfig{logger: slog.Default()}
	for _, o := range opts {
		o(&cfg)
	}
	return &Repo[T]{store: s, prefix: prefix, ttl: cfg.ttl, log: cfg.logger}
}

// Key returns the storage key for id.
func (r *Repo[T]) Key(id string) string { return r.prefix + id }

// Get loads the entity stored under id.
func (r *Repo[T]) Get(ctx context.Context, id string) (T, error) {
	return GetJSON[T](ctx, r.store, r.Key(id))
}

// Put stores v under id using the repo's configured TTL.
func (r *Repo[T]) Put(ctx context.Context, id string, v T) error {
	return r.PutTTL(ctx, id, v, r.ttl)
}

// PutTTL stores v under id with an explicit TTL.
func (r *Repo[T]) PutTTL(ctx context.Context, id string, v T, ttl time.Duration) error {
	if err := PutJSON(ctx, r.store, r.Key(id), v, ttl); err != nil {
		r.log.ErrorContext(ctx, "repo put failed", "prefix", r.prefix, "id", id, "err", err)
		return err
	}
	return nil
}

// Delete removes id.
func (r *Repo[T]) Delete(ctx context.Context, id string) error {
	return r.store.Delete(ctx, r.Key(id))
}

// Update loads id (or the zero T when it does not exist yet), applies fn and
// writes the result back.
func (r *Repo[T]) Update(ctx context.Context, id string, fn func(*T) error) error {
	cur, err := r.Get(ctx, id)
	if err != nil && !IsNotFound(err) {
		return err
	}
	if err := fn(&cur); err != nil {
		return err
	}
	return r.Put(ctx, id, cur) // EXPECT kvrace
}

// List returns the ids (keys without the prefix) stored by this repo, if the
// underlying store supports listing.
func (r *Repo[T]) List(ctx context.Context) ([]string, error) {
	l, ok := r.store.(KeyLister)
	if !ok {
		return nil, fmt.Errorf("storage: %T cannot list keys", r.store)
	}
	keys, err := l.List(ctx, r.prefix)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(keys))
	for _, k := range keys {
		ids = append(ids, k[len(r.prefix):])
	}
	return ids, nil
}
