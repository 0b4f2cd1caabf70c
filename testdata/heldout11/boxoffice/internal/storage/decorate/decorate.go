// Package decorate wraps a storage.Store with logging, timeouts and
// retries. Decorators compose: Retry(Timeout(Logging(kv))).
package decorate

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"example.com/boxoffice/internal/retry"
	"example.com/boxoffice/internal/storage"
)

// Logging logs failed operations other than misses.
func Logging(next storage.Store, log *slog.Logger) storage.Store {
	return &logging{next: next, log: log}
}

type logging struct {
	next storage.Store
	log  *slog.Logger
}

func (l *logging) report(op, key string, start time.Time, err error) {
	if err == nil || errors.Is(err, storage.ErrNotFound) {
		return
	}
	l.log.Warn("kv operation failed", "op", op, "key", key, "took", time.Since(start), "err", err)
}

func (l *logging) Get(ctx context.Context, key string) ([]byte, error) {
	start := time.Now()
	v, err := l.next.Get(ctx, key)
	l.report("get", key, start, err)
	return v, err
}

func (l *logging) Put(ctx context.Context, key string, value []byte, opts ...storage.PutOption) error {
	start := time.Now()
	err := l.next.Put(ctx, key, value, opts...)
	l.report("put", key, start, err)
	return err
}

func (l *logging) Delete(ctx context.Context, key string) error {
	start := time.Now()
	err := l.next.Delete(ctx, key)
	l.report("delete", key, start, err)
	return err
}

func (l *logging) List(ctx context.Context, opts storage.ListOptions) (storage.Page, error) {
	start := time.Now()
	p, err := l.next.List(ctx, opts)
	l.report("list", opts.Prefix, start, err)
	return p, err
}

// Timeout bounds each operation by d.
func Timeout(next storage.Store, d time.Duration) storage.Store { return &timeout{next: next, d: d} }

type timeout struct {
	next storage.Store
	d    time.Duration
}

func (t *timeout) Get(ctx context.Context, key string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, t.d)
	defer cancel()
	return t.next.Get(ctx, key)
}

func (t *timeout) Put(ctx context.Context, key string, value []byte, opts ...storage.PutOption) error {
	ctx, cancel := context.WithTimeout(ctx, t.d)
	defer cancel()
	return t.next.Put(ctx, key, value, opts...)
}

func (t *timeout) Delete(ctx context.Context, key string) error {
	ctx, cancel := context.WithTimeout(ctx, t.d)
	defer cancel()
	return t.next.Delete(ctx, key)
}

func (t *timeout) List(ctx context.Context, opts storage.ListOptions) (storage.Page, error) {
	ctx, cancel := context.WithTimeout(ctx, t.d)
	defer cancel()
	return t.next.List(ctx, opts)
}

// Retry retries temporary failures according to p.
func Retry(next storage.Store, p retry.Policy) storage.Store { return &retrying{next: next, p: p} }

type retrying struct {
	next storage.Store
	p    retry.Policy
}

func (r *retrying) Get(ctx context.Context, key string) ([]byte, error) {
	var out []byte
	err := retry.Do(ctx, r.p, func(ctx context.Context) error {
		v, err := r.next.Get(ctx, key)
		if err != nil {
			return err
		}
		out = v
		return nil
	})
	return out, err
}

func (r *retrying) Put(ctx context.Context, key string, value []byte, opts ...storage.PutOption) error {
	return retry.Do(ctx, r.p, func(ctx context.Context) error {
		return r.next.Put(ctx, key, value, opts...)
	})
}

func (r *retrying) Delete(ctx context.Context, key string) error {
	return retry.Do(ctx, r.p, retry.Bind(r.next.Delete, key))
}

func (r *retrying) List(ctx context.Context, opts storage.ListOptions) (storage.Page, error) {
	var page storage.Page
	err := retry.Do(ctx, r.p, func(ctx context.Context) error {
		p, err := r.next.List(ctx, opts)
		page = p
		return err
	})
	return page, err
}
