// Package tracekv decorates a kvstore.KV with spans around every call.
package tracekv

import (
	"context"
	"time"

	"example.com/billing/internal/kvstore"
)

// Tracer starts a span; the returned func ends it with the call's error.
type Tracer interface {
	Start(ctx context.Context, name string, attrs ...any) (context.Context, func(error))
}

// KV is the tracing decorator.
type KV struct {
	next   kvstore.KV
	tracer Tracer
	name   string
}

// Wrap decorates next. name identifies the namespace in span attributes.
func Wrap(next kvstore.KV, tracer Tracer, name string) *KV {
	return &KV{next: next, tracer: tracer, name: name}
}

// Get implements kvstore.KV.
func (t *KV) Get(ctx context.Context, key string) (v []byte, err error) {
	ctx, end := t.tracer.Start(ctx, "kv.get", "ns", t.name, "key", key)
	defer func() { end(err) }()
	return t.next.Get(ctx, key)
}

// Put implements kvstore.KV.
func (t *KV) Put(ctx context.Context, key string, value []byte, opts ...kvstore.PutOption) (err error) {
	o := kvstore.Resolve(opts)
	ctx, end := t.tracer.Start(ctx, "kv.put", "ns", t.name, "key", key, "bytes", len(value), "ttl", o.TTL.String())
	defer func() { end(err) }()
	return t.next.Put(ctx, key, value, opts...)
}

// Delete implements kvstore.KV.
func (t *KV) Delete(ctx context.Context, key string) (err error) {
	ctx, end := t.tracer.Start(ctx, "kv.delete", "ns", t.name, "key", key)
	defer func() { end(err) }()
	return t.next.Delete(ctx, key)
}

// List implements kvstore.KV.
func (t *KV) List(ctx context.Context, q kvstore.ListQuery) (p kvstore.Page, err error) {
	ctx, end := t.tracer.Start(ctx, "kv.list", "ns", t.name, "prefix", q.Prefix)
	defer func() { end(err) }()
	return t.next.List(ctx, q)
}

// SlogTracer is a Tracer that logs span durations.
type SlogTracer struct {
	Log func(msg string, args ...any)
}

// Start implements Tracer.
func (s SlogTracer) Start(ctx context.Context, name string, attrs ...any) (context.Context, func(error)) {
	begin := time.Now()
	return ctx, func(err error) {
		args := append(attrs, "took", time.Since(begin))
		if err != nil {
			args = append(args, "err", err)
		}
		s.Log(name, args...)
	}
}
