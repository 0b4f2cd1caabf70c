// Package mw holds storage middlewares: structured logging, key namespacing
// and a read-only switch for maintenance.
package mw

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"example.com/tollgate/internal/storage"
)

// Logging records every call at debug level and failures at warn level.
func Logging(logger *slog.Logger) storage.Middleware {
	return func(next storage.Store) storage.Store {
		return &logged{next: next, log: logger.With(slog.String("component", "storage"))}
	}
}

type logged struct {
	next storage.Store
	log  *slog.Logger
}

func (l *logged) done(ctx context.Context, op, key string, start time.Time, err error) {
	attrs := []slog.Attr{
		slog.String("op", op),
		slog.String("key", key),
		slog.Duration("took", time.Since(start)),
	}
	switch {
	case err == nil, storage.IsNotFound(err):
		l.log.LogAttrs(ctx, slog.LevelDebug, "storage call", attrs...)
	default:
		attrs = append(attrs, slog.Any("err", err))
		l.log.LogAttrs(ctx, slog.LevelWarn, "storage call failed", attrs...)
	}
}

func (l *logged) Get(ctx context.Context, key string) (b []byte, err error) {
	defer func(t time.Time) { l.done(ctx, "get", key, t, err) }(time.Now())
	return l.next.Get(ctx, key)
}

func (l *logged) Put(ctx context.Context, key string, value []byte, opts storage.PutOptions) (err error) {
	defer func(t time.Time) { l.done(ctx, "put", key, t, err) }(time.Now())
	return l.next.Put(ctx, key, value, opts)
}

func (l *logged) Delete(ctx context.Context, key string) (err error) {
	defer func(t time.Time) { l.done(ctx, "delete", key, t, err) }(time.Now())
	return l.next.Delete(ctx, key)
}

func (l *logged) List(ctx context.Context, o storage.ListOptions) (p storage.Page, err error) {
	defer func(t time.Time) { l.done(ctx, "list", o.Prefix, t, err) }(time.Now())
	return l.next.List(ctx, o)
}

// Namespaced prefixes every key with ns and strips it from listed names, so
// several environments can share one namespace.
func Namespaced(ns string) storage.Middleware {
	return func(next storage.Store) storage.Store {
		if ns == "" {
			return next
		}
		return &namespaced{next: next, ns: ns}
	}
}

type namespaced struct {
	next storage.Store
	ns   string
}

func (n *namespaced) Get(ctx context.Context, key string) ([]byte, error) {
	return n.next.Get(ctx, n.ns+key)
}

func (n *namespaced) Put(ctx context.Context, key string, value []byte, opts storage.PutOptions) error {
	return n.next.Put(ctx, n.ns+key, value, opts)
}

func (n *namespaced) Delete(ctx context.Context, key string) error {
	return n.next.Delete(ctx, n.ns+key)
}

func (n *namespaced) List(ctx context.Context, o storage.ListOptions) (storage.Page, error) {
	o.Prefix = n.ns + o.Prefix
	page, err := n.next.List(ctx, o)
	for i := range page.Keys {
		page.Keys[i].Name = strings.TrimPrefix(page.Keys[i].Name, n.ns)
	}
	return page, err
}

// ReadOnly refuses writes while frozen() reports true.
func ReadOnly(frozen func() bool) storage.Middleware {
	return func(next storage.Store) storage.Store {
		return storage.Funcs{
			GetFn: next.Get,
			PutFn: func(ctx context.Context, key string, value []byte, opts storage.PutOptions) error {
				if frozen() {
					return storage.ErrReadOnly
				}
				return next.Put(ctx, key, value, opts)
			},
			DeleteFn: func(ctx context.Context, key string) error {
				if frozen() {
					return storage.ErrReadOnly
				}
				return next.Delete(ctx, key)
			},
			ListFn: next.List,
		}
	}
}
