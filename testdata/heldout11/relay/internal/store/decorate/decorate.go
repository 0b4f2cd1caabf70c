// Package decorate wraps a store.Store with logging and retries.
package decorate

import (
	"context"
	"errors"
	"log/slog"

	"example.com/relay/internal/retry"
	"example.com/relay/internal/store"
)

// Decorator wraps a store.
type Decorator func(store.Store) store.Store

// Chain applies ds so that the first one is outermost.
func Chain(s store.Store, ds ...Decorator) store.Store {
	for i := len(ds) - 1; i >= 0; i-- {
		s = ds[i](s)
	}
	return s
}

// Logging logs failed operations (misses are not failures).
func Logging(log *slog.Logger) Decorator {
	return func(next store.Store) store.Store { return &logged{next: next, log: log} }
}

type logged struct {
	next store.Store
	log  *slog.Logger
}

func (l *logged) fail(ctx context.Context, op, key string, err error) {
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		l.log.WarnContext(ctx, "kv "+op+" failed", "key", key, "err", err)
	}
}

func (l *logged) Get(ctx context.Context, key string) ([]byte, error) {
	v, err := l.next.Get(ctx, key)
	l.fail(ctx, "get", key, err)
	return v, err
}

func (l *logged) Put(ctx context.Context, key string, value []byte, opts ...store.PutOption) error {
	err := l.next.Put(ctx, key, value, opts...)
	l.fail(ctx, "put", key, err)
	return err
}

func (l *logged) Delete(ctx context.Context, key string) error {
	err := l.next.Delete(ctx, key)
	l.fail(ctx, "delete", key, err)
	return err
}

func (l *logged) List(ctx context.Context, prefix, cursor string, limit int) (store.Page, error) {
	p, err := l.next.List(ctx, prefix, cursor, limit)
	l.fail(ctx, "list", prefix, err)
	return p, err
}

// Retry retries temporary failures with p.
func Retry(p retry.Policy) Decorator {
	if p.Retryable == nil {
		p.Retryable = store.IsTemporary
	}
	return func(next store.Store) store.Store { return &retrying{next: next, p: p} }
}

type retrying struct {
	next store.Store
	p    retry.Policy
}

func (r *retrying) Get(ctx context.Context, key string) (v []byte, err error) {
	err = retry.Do(ctx, r.p, func(ctx context.Context) error { v, err = r.next.Get(ctx, key); return err })
	return v, err
}

func (r *retrying) Put(ctx context.Context, key string, value []byte, opts ...store.PutOption) error {
	return retry.Do(ctx, r.p, func(ctx context.Context) error { return r.next.Put(ctx, key, value, opts...) })
}

func (r *retrying) Delete(ctx context.Context, key string) error {
	return retry.Do(ctx, r.p, func(ctx context.Context) error { return r.next.Delete(ctx, key) })
}

func (r *retrying) List(ctx context.Context, prefix, cursor string, limit int) (p store.Page, err error) {
	err = retry.Do(ctx, r.p, func(ctx context.Context) error { p, err = r.next.List(ctx, prefix, cursor, limit); return err })
	return p, err
}
