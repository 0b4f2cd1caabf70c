// Package repo provides a generic JSON repository over the store ports.
package repo

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"example.com/thistle/internal/clock"
	"example.com/thistle/internal/keys"
	"example.com/thistle/internal/store"
)

type settings struct {
	ttl      time.Duration
	lifetime func(now time.Time) time.Time
	clock    clock.Clock
	pageSize int
}

// Option configures a Repo.
type Option func(*settings)

// WithTTL makes every record written by the repo expire after d.
func WithTTL(d time.Duration) Option { return func(s *settings) { s.ttl = d } }

// WithExpiry makes every record expire at the instant returned by f, given
// the current time.
func WithExpiry(f func(now time.Time) time.Time) Option {
	return func(s *settings) { s.lifetime = f }
}

// WithClock sets the repo's time source.
func WithClock(c clock.Clock) Option { return func(s *settings) { s.clock = c } }

// WithPageSize sets how many keys IDs fetches per page.
func WithPageSize(n int) Option { return func(s *settings) { s.pageSize = n } }

// Repo stores values of type T as JSON under a typed key family.
type Repo[T any] struct {
	s   store.Store
	key keys.Key[T]
	set settings
}

// New builds a repository.
func New[T any](s store.Store, key keys.Key[T], opts ...Option) *Repo[T] {
	set := settings{clock: clock.System{}, pageSize: 100}
	for _, o := range opts {
		o(&set)
	}
	return &Repo[T]{s: s, key: key, set: set}
}

func (r *Repo[T]) putOptions() store.PutOptions {
	if r.set.lifetime != nil {
		return store.PutOptions{ExpireAt: r.set.lifetime(r.set.clock.Now())}
	}
	return store.PutOptions{TTL: r.set.ttl}
}

// Get loads the record with the given id.
func (r *Repo[T]) Get(ctx context.Context, id string) (T, error) {
	return store.Load[T](ctx, r.s, r.key.For(id))
}

// Find is Get that reports a miss as ok=false rather than an error.
func (r *Repo[T]) Find(ctx context.Context, id string) (T, bool, error) {
	v, err := r.Get(ctx, id)
	if store.IsNotFound(err) {
		return v, false, nil
	}
	return v, err == nil, err
}

// Put writes v under id with the repo's expiry policy.
func (r *Repo[T]) Put(ctx context.Context, id string, v T) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("repo: encode %s: %w", id, err)
	}
	return r.s.Put(ctx, r.key.For(id), b, r.putOptions())
}

// PutFor writes v with an explicit TTL, overriding the repo policy.
func (r *Repo[T]) PutFor(ctx context.Context, id string, v T, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("repo: encode %s: %w", id, err)
	}
	return r.s.Put(ctx, r.key.For(id), b, store.PutOptions{TTL: ttl})
}

// Update loads the record, applies fn and writes the result back. A missing
// record starts from the zero value.
func (r *Repo[T]) Update(ctx context.Context, id string, fn func(*T) error) error {
	v, err := store.LoadOr(ctx, r.s, r.key.For(id), *new(T))
	if err != nil {
		return err
	}
	if err := fn(&v); err != nil {
		return err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("repo: encode %s: %w", id, err)
	}
	return r.s.Put(ctx, r.key.For(id), b, r.putOptions()) // EXPECT kvrace
}

// Delete removes the record.
func (r *Repo[T]) Delete(ctx context.Context, id string) error {
	return r.s.Delete(ctx, r.key.For(id))
}

// IDs returns one page of record ids and the cursor for the next page. An
// empty cursor means the listing is complete.
func (r *Repo[T]) IDs(ctx context.Context, cursor string) ([]string, string, error) {
	page, err := r.s.List(ctx, store.ListQuery{Prefix: r.key.Prefix(), Cursor: cursor, Limit: r.set.pageSize})
	if err != nil {
		return nil, "", err
	}
	ids := make([]string, 0, len(page.Entries))
	for _, e := range page.Entries {
		if id, ok := r.key.ID(e.Key); ok {
			ids = append(ids, id)
		}
	}
	if page.Complete {
		return ids, "", nil
	}
	return ids, page.Cursor, nil
}

// Key exposes the repo's key family.
func (r *Repo[T]) Key() keys.Key[T] { return r.key }
