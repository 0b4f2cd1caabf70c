// Package mw contains storage middlewares: logging, tenant namespacing
// and a read-only switch used during maintenance.
package mw

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"example.com/mosaic/internal/storage"
)

// ErrReadOnly is returned by writes while the store is read-only.
var ErrReadOnly = errors.New("storage: read-only mode")

// Logging logs writes at debug level and failures at warn.
func Logging(log *slog.Logger) storage.Middleware {
	return func(next storage.Store) storage.Store {
		f := storage.From(next)
		f.PutFn = func(ctx context.Context, key string, value []byte, opts storage.PutOptions) error {
			err := next.Put(ctx, key, value, opts)
			log.Log(ctx, levelFor(err), "store put", "key", key, "bytes", len(value), "ttl", opts.TTL, "err", err)
			return err
		}
		f.DeleteFn = func(ctx context.Context, key string) error {
			err := next.Delete(ctx, key)
			log.Log(ctx, levelFor(err), "store delete", "key", key, "err", err)
			return err
		}
		return f
	}
}

func levelFor(err error) slog.Level {
	if err != nil {
		return slog.LevelWarn
	}
	return slog.LevelDebug
}

// Namespace prefixes every key with tenant + ":" so several deployments can
// share one namespace.
func Namespace(tenant string) storage.Middleware {
	return func(next storage.Store) storage.Store {
		if tenant == "" {
			return next
		}
		p := tenant + ":"
		return storage.Funcs{
			GetFn: func(ctx context.Context, key string) ([]byte, error) { return next.Get(ctx, p+key) },
			PutFn: func(ctx context.Context, key string, value []byte, opts storage.PutOptions) error {
				return next.Put(ctx, p+key, value, opts)
			},
			DeleteFn: func(ctx context.Context, key string) error { return next.Delete(ctx, p+key) },
			ListFn: func(ctx context.Context, prefix, cursor string, limit int) (storage.Page, error) {
				page, err := next.List(ctx, p+prefix, cursor, limit)
				for i := range page.Keys {
					page.Keys[i].Name = strings.TrimPrefix(page.Keys[i].Name, p)
				}
				return page, err
			},
		}
	}
}

// ReadOnly refuses writes while enabled reports true.
func ReadOnly(enabled func(context.Context) bool) storage.Middleware {
	return func(next storage.Store) storage.Store {
		f := storage.From(next)
		f.PutFn = func(ctx context.Context, key string, value []byte, opts storage.PutOptions) error {
			if enabled(ctx) {
				return ErrReadOnly
			}
			return next.Put(ctx, key, value, opts)
		}
		f.DeleteFn = func(ctx context.Context, key string) error {
			if enabled(ctx) {
				return ErrReadOnly
			}
			return next.Delete(ctx, key)
		}
		return f
	}
}
