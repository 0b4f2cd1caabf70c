// Package storemw holds decorators for storage.Store (logging, retries).
// Each returns a storage.Store so they stack in any order.
package storemw

import (
	"context"
	"log/slog"
	"time"

	"example.com/flagship/internal/retry"
	"example.com/flagship/internal/storage"
)

// Decorator wraps a store.
type Decorator func(storage.Store) storage.Store

// Chain applies decorators so the first one is outermost.
func Chain(s storage.Store, ds ...Decorator) storage.Store {
	for i := len(ds) - 1; i >= 0; i-- {
		s = ds[i](s)
	}
	return s
}

type logging struct {
	next storage.Store
	log  *slog.Logger
}

// Logging logs every operation at debug level and failures at warn.
func Logging(log *slog.Logger) Decorator {
	return func(next storage.Store) storage.Store { return &logging{next: next, log: log} }
}

func (l *logging) done(op, key string, start time.Time, err error) {
	if err != nil && !storage.IsNotFound(err) {
		l.log.Warn("kv op failed", "op", op, "key", key, "err", err, "took", time.Since(start))
		return
	}
	l.log.Debug("kv op", "op", op, "key", key, "took", time.Since(start))
}

func (l *logging) Get(ctx context.Context, key string) (b []byte, err error) {
	defer func(t time.Time) { l.done("get", key, t, err) }(time.Now())
	return l.next.Get(ctx, key)
}

func (l *logging) Put(ctx context.Context, key string, v []byte, opts ...storage.PutOption) (err error) {
	defer func(t time.Time) { l.done("put", key, t, err) }(time.Now())
	return l.next.Put(ctx, key, v, opts...)
}

func (l *logging) Delete(ctx context.Context, key string) (err error) {
	defer func(t time.Time) { l.done("delete", key, t, err) }(time.Now())
	return l.next.Delete(ctx, key)
}

func (l *logging) List(ctx context.Context, prefix, cursor string, opts ...storage.ListOption) (p storage.Page, err error) {
	defer func(t time.Time) { l.done("list", prefix, t, err) }(time.Now())
	return l.next.List(ctx, prefix, cursor, opts...)
}

type retrying struct {
	next   storage.Store
	policy retry.Policy
}

// Retry repeats retryable failures under policy.
func Retry(policy retry.Policy) Decorator {
	return func(next storage.Store) storage.Store { return &retrying{next: next, policy: policy} }
}

func (r *retrying) Get(ctx context.Context, key string) (b []byte, err error) {
	err = r.policy.Do(ctx, func(ctx context.Context) error {
		b, err = r.next.Get(ctx, key)
		return err
	})
	return b, err
}

func (r *retrying) Put(ctx context.Context, key string, v []byte, opts ...storage.PutOption) error {
	return r.policy.Do(ctx, func(ctx context.Context) error { return r.next.Put(ctx, key, v, opts...) })
}

func (r *retrying) Delete(ctx context.Context, key string) error {
	return r.policy.Do(ctx, func(ctx context.Context) error { return r.next.Delete(ctx, key) })
}

func (r *retrying) List(ctx context.Context, prefix, cursor string, opts ...storage.ListOption) (p storage.Page, err error) {
	err = r.policy.Do(ctx, func(ctx context.Context) error {
		p, err = r.next.List(ctx, prefix, cursor, opts...)
		return err
	})
	return p, err
}
