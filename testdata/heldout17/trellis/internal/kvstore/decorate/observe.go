package decorate

import (
	"context"
	"errors"
	"expvar"
	"log/slog"
	"time"

	"example.com/trellis/internal/kvstore"
	"example.com/trellis/internal/retry"
)

var kvOps = expvar.NewMap("trellis_kv_ops")

// Observed counts operations in expvar and logs each one with its latency.
type Observed struct {
	kvstore.Store
	name string
	log  *slog.Logger
}

func WithObservability(st kvstore.Store, name string, log *slog.Logger) *Observed {
	return &Observed{Store: st, name: name, log: log}
}

func (o *Observed) done(ctx context.Context, op, key string, start time.Time, err error) {
	kvOps.Add(o.name+"."+op, 1)
	if err != nil && !kvstore.IsNotFound(err) {
		kvOps.Add(o.name+"."+op+".error", 1)
	}
	o.log.DebugContext(ctx, "kv", "op", op, "key", key, "took", time.Since(start), "err", err)
}

func (o *Observed) Get(ctx context.Context, key string) ([]byte, error) {
	start := time.Now()
	v, err := o.Store.Get(ctx, key)
	o.done(ctx, "get", key, start, err)
	return v, err
}

func (o *Observed) Put(ctx context.Context, key string, value []byte, opts kvstore.PutOptions) error {
	start := time.Now()
	err := o.Store.Put(ctx, key, value, opts)
	o.done(ctx, "put", key, start, err)
	return err
}

func (o *Observed) List(ctx context.Context, opts kvstore.ListOptions) (kvstore.Page, error) {
	l, ok := kvstore.AsLister(o.Store)
	if !ok {
		return kvstore.Page{}, kvstore.ErrUnsupported
	}
	start := time.Now()
	page, err := l.List(ctx, opts)
	o.done(ctx, "list", opts.Prefix, start, err)
	return page, err
}

func (o *Observed) PutMany(ctx context.Context, pairs []kvstore.Pair) ([]string, error) {
	bw, ok := kvstore.AsBulkWriter(o.Store)
	if !ok {
		return nil, kvstore.ErrUnsupported
	}
	start := time.Now()
	failed, err := bw.PutMany(ctx, pairs)
	o.done(ctx, "bulk", "", start, err)
	return failed, err
}

// Retrying retries failed reads and writes with backoff. Missing keys are not retried.
type Retrying struct {
	kvstore.Store
	policy retry.Policy
}

func WithRetry(st kvstore.Store, policy retry.Policy) *Retrying {
	policy.Retryable = func(err error) bool { return !errors.Is(err, kvstore.ErrNotFound) }
	return &Retrying{Store: st, policy: policy}
}

func (r *Retrying) Get(ctx context.Context, key string) (v []byte, err error) {
	err = r.policy.Do(ctx, func() error {
		v, err = r.Store.Get(ctx, key)
		return err
	})
	return v, err
}

func (r *Retrying) Put(ctx context.Context, key string, value []byte, opts kvstore.PutOptions) error {
	return r.policy.Do(ctx, func() error { return r.Store.Put(ctx, key, value, opts) })
}

// List forwards to the wrapped store's Lister, retrying failed pages.
func (r *Retrying) List(ctx context.Context, opts kvstore.ListOptions) (page kvstore.Page, err error) {
	l, ok := kvstore.AsLister(r.Store)
	if !ok {
		return kvstore.Page{}, kvstore.ErrUnsupported
	}
	err = r.policy.Do(ctx, func() error {
		page, err = l.List(ctx, opts)
		return err
	})
	return page, err
}

// PutMany forwards to the wrapped BulkWriter; callers handle unwritten keys.
func (r *Retrying) PutMany(ctx context.Context, pairs []kvstore.Pair) ([]string, error) {
	bw, ok := kvstore.AsBulkWriter(r.Store)
	if !ok {
		return nil, kvstore.ErrUnsupported
	}
	return bw.PutMany(ctx, pairs)
}
