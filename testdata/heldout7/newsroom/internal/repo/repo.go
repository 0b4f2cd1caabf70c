// Package repo provides a typed JSON repository over store.Store.
package repo

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"example.com/newsroom/internal/store"
)

// Option configures a Repo.
type Option func(*settings)

type settings struct {
	ttl      time.Duration
	pageSize int
}

// WithTTL makes every Save expire after d.
func WithTTL(d time.Duration) Option { return func(s *settings) { s.ttl = d } }

// WithPageSize sets how many keys Page asks for.
func WithPageSize(n int) Option { return func(s *settings) { s.pageSize = n } }

// Repo stores values of type T as JSON under prefix+id.
type Repo[T any] struct {
	st     store.Store
	prefix string
	cfg    settings
}

// New returns a repository for keys beginning with prefix.
func New[T any](st store.Store, prefix string, opts ...Option) *Repo[T] {
	r := &Repo[T]{st: st, prefix: prefix, cfg: settings{pageSize: 100}}
	for _, o := range opts {
		o(&r.cfg)
	}
	return r
}

// Key returns the storage key for id.
func (r *Repo[T]) Key(id string) string { return r.prefix + id }

// Get loads id. It returns store.ErrNotFound when absent.
func (r *Repo[T]) Get(ctx context.Context, id string) (T, error) {
	var v T
	b, err := r.st.Get(ctx, r.Key(id))
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return v, fmt.Errorf("repo: decode %s: %w", r.Key(id), err)
	}
	return v, nil
}

// Save writes v under id, applying the repository TTL if one is set.
func (r *Repo[T]) Save(ctx context.Context, id string, v T) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("repo: encode %s: %w", r.Key(id), err)
	}
	var opts []store.PutOption
	if r.cfg.ttl > 0 {
		opts = append(opts, store.WithTTL(r.cfg.ttl))
	}
	return r.st.Put(ctx, r.Key(id), b, opts...)
}

// Delete removes id.
func (r *Repo[T]) Delete(ctx context.Context, id string) error {
	return r.st.Delete(ctx, r.Key(id))
}

// Page returns one page of ids and the cursor for the next one ("" when done).
func (r *Repo[T]) Page(ctx context.Context, cursor string) ([]string, string, error) {
	p, err := r.st.List(ctx, store.ListParams{Prefix: r.prefix, Cursor: cursor, Limit: r.cfg.pageSize})
	if err != nil {
		return nil, "", err
	}
	ids := make([]string, len(p.Keys))
	for i, k := range p.Keys {
		ids[i] = strings.TrimPrefix(k, r.prefix)
	}
	if p.Complete {
		return ids, "", nil
	}
	return ids, p.Cursor, nil
}

// All loads every value in the repository.
func (r *Repo[T]) All(ctx context.Context) ([]T, error) {
	var out []T
	cursor := ""
	for {
		p, err := r.st.List(ctx, store.ListParams{Prefix: r.prefix, Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range p.Keys {
			b, err := r.st.Get(ctx, k) // EXPECT kvlist
			if err == store.ErrNotFound {
				continue
			}
			if err != nil {
				return nil, err
			}
			var v T
			if err := json.Unmarshal(b, &v); err != nil {
				return nil, fmt.Errorf("repo: decode %s: %w", k, err)
			}
			out = append(out, v)
		}
		if p.Complete {
			return out, nil
		}
		cursor = p.Cursor
	}
}
