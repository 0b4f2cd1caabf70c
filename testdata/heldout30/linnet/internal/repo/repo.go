// Package repo is a generic JSON repository on top of storage.Store: callers
// pick the key prefix and record lifetime, it handles encoding and paging.
package repo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"example.com/linnet/internal/storage"
)

// ErrNotFound is returned when no record exists for an ID.
var ErrNotFound = errors.New("repo: record not found")

// Repo stores values of type R under prefix+id.
type Repo[R any] struct {
	store    storage.Store
	prefix   string
	lifetime func(R) time.Duration
}

type Option[R any] func(*Repo[R])

// WithLifetime sets a per-record TTL; records with a zero lifetime never
// expire, and shorter ones are kept for at least a minute.
func WithLifetime[R any](fn func(R) time.Duration) Option[R] {
	return func(r *Repo[R]) { r.lifetime = fn }
}

// New builds a repository for keys starting with prefix.
func New[R any](s storage.Store, prefix string, opts ...Option[R]) *Repo[R] {
	r := &Repo[R]{store: s, prefix: prefix}
	for _, o := range opts {
		o(r)
	}
	return r
}

func (r *Repo[R]) load(ctx context.Context, key string) (R, error) {
	var rec R
	raw, err := r.store.Get(ctx, key)
	if errors.Is(err, storage.ErrNotFound) {
		return rec, ErrNotFound
	}
	if err != nil {
		return rec, err
	}
	if err := json.Unmarshal(raw, &rec); err != nil {
		return rec, fmt.Errorf("repo: decode %s: %w", key, err)
	}
	return rec, nil
}

func (r *Repo[R]) Get(ctx context.Context, id string) (R, error) {
	return r.load(ctx, r.prefix+id)
}

// Save writes rec under id, replacing whatever was there.
func (r *Repo[R]) Save(ctx context.Context, id string, rec R) error {
	raw, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("repo: encode %s: %w", id, err)
	}
	var opts []storage.PutOption
	if r.lifetime != nil {
		if ttl := r.lifetime(rec); ttl > 0 {
			opts = append(opts, storage.WithTTL(max(ttl, time.Minute)))
		}
	}
	return r.store.Put(ctx, r.prefix+id, raw, opts...)
}

func (r *Repo[R]) Delete(ctx context.Context, id string) error {
	return r.store.Delete(ctx, r.prefix+id)
}

// Modify loads the record for id, applies fn and saves it. A missing record
// is an error: Modify never creates.
func (r *Repo[R]) Modify(ctx context.Context, id string, fn func(rec *R) error) error {
	rec, err := r.Get(ctx, id)
	if err != nil {
		return err
	}
	if err := fn(&rec); err != nil {
		return err
	}
	return r.Save(ctx, id, rec)
}

// Upsert is Modify that starts from a zero record when none exists.
func (r *Repo[R]) Upsert(ctx context.Context, id string, fn func(rec *R) error) error {
	rec, err := r.Get(ctx, id)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	if err := fn(&rec); err != nil {
		return err
	}
	return r.Save(ctx, id, rec)
}

// Page returns one page of records below sub (an ID prefix) and the token
// for the next page, "" on the last one.
func (r *Repo[R]) Page(ctx context.Context, sub, token string, limit int) ([]R, string, error) {
	cursor, err := storage.DecodePageToken(token)
	if err != nil {
		return nil, "", err
	}
	page, err := r.store.List(ctx, storage.ListOptions{Prefix: r.prefix + sub, Cursor: cursor, Limit: min(max(limit, 1), 100)})
	if err != nil {
		return nil, "", err
	}
	out := make([]R, 0, len(page.Keys))
	for _, k := range page.Keys {
		rec, err := r.load(ctx, k.Name) // EXPECT kvlist
		if errors.Is(err, ErrNotFound) {
			continue // expired between list and get
		} else if err != nil {
			return nil, "", err
		}
		out = append(out, rec)
	}
	return out, storage.NextToken(page), nil
}
