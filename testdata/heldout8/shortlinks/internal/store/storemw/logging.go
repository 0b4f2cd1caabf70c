// Package storemw contains store.Store decorators.
package storemw

import (
	"context"
	"log/slog"
	"time"

	"example.com/shortlinks/internal/store"
)

type logging struct {
	next store.Store
	log  *slog.Logger
	slow time.Duration
}

// Logging logs failed and slow operations.
func Logging(next store.Store, log *slog.Logger, slow time.Duration) store.Store {
	return &logging{next: next, log: log, slow: slow}
}

func (l *logging) done(op, key string, start time.Time, err error) {
	el := time.Since(start)
	switch {
	case err != nil:
		l.log.Error("store op failed", "op", op, "key", key, "err", err)
	case el > l.slow:
		l.log.Warn("slow store op", "op", op, "key", key, "elapsed", el)
	}
}

func (l *logging) Get(ctx context.Context, key string) (v string, ok bool, err error) {
	defer func(start time.Time) { l.done("get", key, start, err) }(time.Now())
	return l.next.Get(ctx, key)
}

func (l *logging) Put(ctx context.Context, key, value string, opts ...store.PutOption) (err error) {
	defer func(start time.Time) { l.done("put", key, start, err) }(time.Now())
	return l.next.Put(ctx, key, value, opts...)
}

func (l *logging) Delete(ctx context.Context, key string) (err error) {
	defer func(start time.Time) { l.done("delete", key, start, err) }(time.Now())
	return l.next.Delete(ctx, key)
}

func (l *logging) List(ctx context.Context, p store.ListParams) (pg store.Page, err error) {
	defer func(start time.Time) { l.done("list", p.Prefix, start, err) }(time.Now())
	return l.next.List(ctx, p)
}
