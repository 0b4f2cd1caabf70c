// Package tracing instruments storage calls: every operation runs inside
// observe, which times it and logs failures.
package tracing

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"example.com/linnet/internal/storage"
)

// Recorder receives one sample per storage call, e.g. a metrics histogram.
type Recorder func(op string, took time.Duration, err error)

// observe runs fn, timing it and reporting the outcome.
func observe(ctx context.Context, s *Store, op string, fn func(ctx context.Context) error) error {
	start := time.Now()
	err := fn(ctx)
	took := time.Since(start)
	if s.rec != nil {
		s.rec(s.name+"."+op, took, err)
	}
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		s.log.LogAttrs(ctx, slog.LevelWarn, "storage call failed",
			slog.String("op", s.name+"."+op), slog.Duration("took", took), slog.Any("err", err))
	}
	return err
}

// Store decorates another storage.Store with observe.
type Store struct {
	next storage.Store
	name string
	rec  Recorder
	log  *slog.Logger
}

// Wrap returns next decorated with tracing. name prefixes every op label;
// rec may be nil.
func Wrap(next storage.Store, name string, log *slog.Logger, rec Recorder) *Store {
	return &Store{next: next, name: name, rec: rec, log: log}
}

var _ storage.Store = (*Store)(nil)

func (s *Store) Get(ctx context.Context, key string) (out []byte, err error) {
	err = observe(ctx, s, "get", func(ctx context.Context) error {
		out, err = s.next.Get(ctx, key)
		return err
	})
	return out, err
}

func (s *Store) Put(ctx context.Context, key string, value []byte, opts ...storage.PutOption) error {
	return observe(ctx, s, "put", func(ctx context.Context) error {
		return s.next.Put(ctx, key, value, opts...)
	})
}

func (s *Store) Delete(ctx context.Context, key string) error {
	return observe(ctx, s, "delete", func(ctx context.Context) error {
		return s.next.Delete(ctx, key)
	})
}

func (s *Store) List(ctx context.Context, opts storage.ListOptions) (page storage.ListPage, err error) {
	err = observe(ctx, s, "list", func(ctx context.Context) error {
		page, err = s.next.List(ctx, opts)
		return err
	})
	return page, err
}
