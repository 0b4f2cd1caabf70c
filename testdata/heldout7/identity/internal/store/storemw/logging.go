// Package storemw holds store.Store decorators: logging, metrics and an
// in-process read cache. Each returns a store.Store so they stack.
package storemw

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"example.com/identity/internal/store"
)

type logging struct {
	next store.Store
	log  *slog.Logger
}

// Logging logs operations at debug level and failures at warn.
func Logging(next store.Store, log *slog.Logger) store.Store { return &logging{next: next, log: log} }

func (l *logging) done(op, key string, start time.Time, err error) {
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		l.log.Warn("kv", "op", op, "key", key, "took", time.Since(start), "err", err)
		return
	}
	l.log.Debug("kv", "op", op, "key", key, "took", time.Since(start))
}

func (l *logging) Get(ctx context.Context, key string) (v []byte, err error) {
	defer func(t time.Time) { l.done("get", key, t, err) }(time.Now())
	return l.next.Get(ctx, key)
}

func (l *logging) Put(ctx context.Context, key string, value []byte, opts ...store.PutOption) (err error) {
	defer func(t time.Time) { l.done("put", key, t, err) }(time.Now())
	return l.next.Put(ctx, key, value, opts...)
}

func (l *logging) Delete(ctx context.Context, key string) (err error) {
	defer func(t time.Time) { l.done("delete", key, t, err) }(time.Now())
	return l.next.Delete(ctx, key)
}

func (l *logging) List(ctx context.Context, lo store.ListOptions) (p *store.Page, err error) {
	defer func(t time.Time) { l.done("list", lo.Prefix, t, err) }(time.Now())
	return l.next.List(ctx, lo)
}
