// Package decorate wraps a store.Store with cross-cutting behaviour.
package decorate

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"example.com/newsroom/internal/store"
)

// Logging logs slow or failing operations.
type Logging struct {
	Next store.Store
	Log  *slog.Logger
	Slow time.Duration
}

// WithLogging wraps next.
func WithLogging(next store.Store, log *slog.Logger) *Logging {
	return &Logging{Next: next, Log: log, Slow: 200 * time.Millisecond}
}

func (l *Logging) observe(op, key string, start time.Time, err error) {
	d := time.Since(start)
	switch {
	case err != nil && !errors.Is(err, store.ErrNotFound):
		l.Log.Error("kv op failed", "op", op, "key", key, "err", err)
	case d > l.Slow:
		l.Log.Warn("kv op slow", "op", op, "key", key, "took", d)
	}
}

func (l *Logging) Get(ctx context.Context, key string) ([]byte, error) {
	start := time.Now()
	v, err := l.Next.Get(ctx, key)
	l.observe("get", key, start, err)
	return v, err
}

func (l *Logging) Put(ctx context.Context, key string, value []byte, opts ...store.PutOption) error {
	start := time.Now()
	err := l.Next.Put(ctx, key, value, opts...)
	l.observe("put", key, start, err)
	return err
}

func (l *Logging) Delete(ctx context.Context, key string) error {
	start := time.Now()
	err := l.Next.Delete(ctx, key)
	l.observe("delete", key, start, err)
	return err
}

func (l *Logging) List(ctx context.Context, p store.ListParams) (store.Page, error) {
	start := time.Now()
	page, err := l.Next.List(ctx, p)
	l.observe("list", p.Prefix, start, err)
	return page, err
}
