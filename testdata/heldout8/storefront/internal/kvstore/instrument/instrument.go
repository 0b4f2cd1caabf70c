// Package instrument decorates a kvstore.Store with structured logs and
// latency metrics.
package instrument

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"example.com/storefront/internal/kvstore"
)

// ObserveFunc receives one observation per operation (wired to Prometheus).
type ObserveFunc func(op string, took time.Duration, err error)

// Store wraps next.
type Store struct {
	next    kvstore.Store
	log     *slog.Logger
	observe ObserveFunc
}

var _ kvstore.Store = (*Store)(nil)

// Wrap decorates next; observe may be nil.
func Wrap(next kvstore.Store, log *slog.Logger, observe ObserveFunc) *Store {
	return &Store{next: next, log: log, observe: observe}
}

func (s *Store) done(ctx context.Context, op, key string, start time.Time, err error) {
	if s.observe != nil {
		s.observe(op, time.Since(start), err)
	}
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		s.log.ErrorContext(ctx, "kv op failed", "op", op, "key", key, "err", err)
	}
}

func (s *Store) Get(ctx context.Context, key string) (v []byte, err error) {
	defer func(t time.Time) { s.done(ctx, "get", key, t, err) }(time.Now())
	return s.next.Get(ctx, key)
}

func (s *Store) Put(ctx context.Context, key string, value []byte, opts ...kvstore.PutOption) (err error) {
	defer func(t time.Time) { s.done(ctx, "put", key, t, err) }(time.Now())
	return s.next.Put(ctx, key, value, opts...)
}

func (s *Store) Delete(ctx context.Context, key string) (err error) {
	defer func(t time.Time) { s.done(ctx, "delete", key, t, err) }(time.Now())
	return s.next.Delete(ctx, key)
}

func (s *Store) List(ctx context.Context, prefix, cursor string, limit int) (p kvstore.Page, err error) {
	defer func(t time.Time) { s.done(ctx, "list", prefix, t, err) }(time.Now())
	return s.next.List(ctx, prefix, cursor, limit)
}
