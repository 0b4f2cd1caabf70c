// Package logged decorates a store.KV with structured logging of every call.
package logged

import (
	"context"
	"log/slog"
	"time"

	"example.com/community/internal/store"
)

// Store logs each operation's key, latency and error.
type Store struct {
	inner store.KV
	log   *slog.Logger
}

func New(inner store.KV, log *slog.Logger, name string) *Store {
	return &Store{inner: inner, log: log.With("kv", name)}
}

func (s *Store) Get(ctx context.Context, key string, opts ...store.GetOption) ([]byte, error) {
	defer s.done(ctx, "get", key, time.Now())
	v, err := s.inner.Get(ctx, key, opts...)
	s.warn(ctx, "get", key, err)
	return v, err
}

func (s *Store) Put(ctx context.Context, key string, value []byte, opts ...store.PutOption) error {
	defer s.done(ctx, "put", key, time.Now())
	err := s.inner.Put(ctx, key, value, opts...)
	s.warn(ctx, "put", key, err)
	return err
}

func (s *Store) Delete(ctx context.Context, key string) error {
	defer s.done(ctx, "delete", key, time.Now())
	err := s.inner.Delete(ctx, key)
	s.warn(ctx, "delete", key, err)
	return err
}

func (s *Store) List(ctx context.Context, opts store.ListOptions) (store.ListPage, error) {
	defer s.done(ctx, "list", opts.Prefix, time.Now())
	p, err := s.inner.List(ctx, opts)
	s.warn(ctx, "list", opts.Prefix, err)
	return p, err
}

func (s *Store) done(ctx context.Context, op, key string, start time.Time) {
	s.log.DebugContext(ctx, "kv", "op", op, "key", key, "took", time.Since(start))
}

func (s *Store) warn(ctx context.Context, op, key string, err error) {
	if err != nil && !store.IsNotFound(err) {
		s.log.WarnContext(ctx, "kv failed", "op", op, "key", key, "err", err)
	}
}
