// Package storemw provides composable decorators for storage.Store.
package storemw

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"example.com/cobalt/internal/storage"
)

// Middleware decorates a store.
type Middleware func(storage.Store) storage.Store

// Chain applies mws to st so that the first middleware is the outermost.
func Chain(st storage.Store, mws ...Middleware) storage.Store {
	for i := len(mws) - 1; i >= 0; i-- {
		st = mws[i](st)
	}
	return st
}

// Logging logs every operation at debug level and failures at warn level.
func Logging(log *slog.Logger) Middleware {
	return func(next storage.Store) storage.Store {
		done := func(ctx context.Context, op, key string, start time.Time, err error) {
			lvl := slog.LevelDebug
			if err != nil && !errors.Is(err, storage.ErrNotFound) {
				lvl = slog.LevelWarn
			}
			log.Log(ctx, lvl, "store", "op", op, "key", key, "took", time.Since(start), "err", err)
		}
		return storage.Funcs{
			GetterFunc: func(ctx context.Context, key string) ([]byte, error) {
				start := time.Now()
				v, err := next.Get(ctx, key)
				done(ctx, "get", key, start, err)
				return v, err
			},
			PutterFunc: func(ctx context.Context, key string, value []byte, opts storage.PutOptions) error {
				start := time.Now()
				err := next.Put(ctx, key, value, opts)
				done(ctx, "put", key, start, err)
				return err
			},
			DeleterFunc: func(ctx context.Context, key string) error {
				start := time.Now()
				err := next.Delete(ctx, key)
				done(ctx, "delete", key, start, err)
				return err
			},
			ListerFunc: func(ctx context.Context, opts storage.ListOptions) (storage.Page, error) {
				start := time.Now()
				p, err := next.List(ctx, opts)
				done(ctx, "list", opts.Prefix, start, err)
				return p, err
			},
		}
	}
}

// Namespacing prefixes every key with the value returned by prefix for the
// request context, and strips it again from listed keys.
func Namespacing(prefix func(ctx context.Context) string) Middleware {
	return func(next storage.Store) storage.Store {
		return storage.Funcs{
			GetterFunc: func(ctx context.Context, key string) ([]byte, error) {
				return next.Get(ctx, prefix(ctx)+key)
			},
			PutterFunc: func(ctx context.Context, key string, value []byte, opts storage.PutOptions) error {
				return next.Put(ctx, prefix(ctx)+key, value, opts)
			},
			DeleterFunc: func(ctx context.Context, key string) error {
				return next.Delete(ctx, prefix(ctx)+key)
			},
			ListerFunc: func(ctx context.Context, opts storage.ListOptions) (storage.Page, error) {
				p := prefix(ctx)
				opts.Prefix = p + opts.Prefix
				page, err := next.List(ctx, opts)
				for i := range page.Entries {
					page.Entries[i].Key = strings.TrimPrefix(page.Entries[i].Key, p)
				}
				return page, err
			},
		}
	}
}
