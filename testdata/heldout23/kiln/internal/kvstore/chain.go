package kvstore

import (
	"context"
	"log"
	"strings"
	"time"
)

// Decorator wraps a store with extra behaviour.
type Decorator func(Store) Store

// Chain applies decorators to base. The first decorator is the outermost.
func Chain(base Store, ds ...Decorator) Store {
	s := base
	for i := len(ds) - 1; i >= 0; i-- {
		s = ds[i](s)
	}
	return s
}

// Observer receives one call per store operation.
type Observer interface {
	ObserveKV(op string, d time.Duration, err error)
}

// WithMetrics reports the latency and outcome of every operation.
func WithMetrics(o Observer) Decorator {
	return func(next Store) Store {
		return &wrapped{next: next, around: func(op, _ string, call func() error) error {
			start := time.Now()
			err := call()
			o.ObserveKV(op, time.Since(start), err)
			return err
		}}
	}
}

// WithLogging logs failed operations.
func WithLogging(l *log.Logger) Decorator {
	return func(next Store) Store {
		return &wrapped{next: next, around: func(op, key string, call func() error) error {
			err := call()
			if err != nil && !IsNotFound(err) {
				l.Printf("kv %s %q: %v", op, key, err)
			}
			return err
		}}
	}
}

// WithPrefix namespaces every key under p.
func WithPrefix(p string) Decorator {
	return func(next Store) Store {
		return &wrapped{next: next, mapKey: func(k string) string { return p + k }, unmapKey: func(k string) string {
			return strings.TrimPrefix(k, p)
		}}
	}
}

// wrapped is the one decorator type. It forwards expiry, metadata and bulk
// reads; bulk writes are deliberately not forwarded, so every decorated write
// is observed one key at a time.
type wrapped struct {
	next     Store
	around   func(op, key string, call func() error) error
	mapKey   func(string) string
	unmapKey func(string) string
}

func (w *wrapped) key(k string) string {
	if w.mapKey == nil {
		return k
	}
	return w.mapKey(k)
}

func (w *wrapped) run(op, key string, call func() error) error {
	if w.around == nil {
		return call()
	}
	return w.around(op, key, call)
}

func (w *wrapped) Get(ctx context.Context, key string) (v []byte, err error) {
	err = w.run("get", key, func() error {
		v, err = w.next.Get(ctx, w.key(key))
		return err
	})
	return v, err
}

func (w *wrapped) Put(ctx context.Context, key string, value []byte) error {
	return w.run("put", key, func() error { return w.next.Put(ctx, w.key(key), value) })
}

func (w *wrapped) Delete(ctx context.Context, key string) error {
	return w.run("delete", key, func() error { return w.next.Delete(ctx, w.key(key)) })
}

func (w *wrapped) List(ctx context.Context, req ListRequest) (p Page, err error) {
	req.Prefix = w.key(req.Prefix)
	err = w.run("list", req.Prefix, func() error {
		p, err = w.next.List(ctx, req)
		return err
	})
	if w.unmapKey != nil {
		for i := range p.Keys {
			p.Keys[i].Name = w.unmapKey(p.Keys[i].Name)
		}
	}
	return p, err
}

func (w *wrapped) PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	ts, ok := w.next.(TTLSetter)
	if !ok {
		return w.Put(ctx, key, value)
	}
	return w.run("put", key, func() error { return ts.PutTTL(ctx, w.key(key), value, ttl) })
}

func (w *wrapped) PutMeta(ctx context.Context, key string, value []byte, meta map[string]any, ttl time.Duration) error {
	mp, ok := w.next.(MetadataPutter)
	if !ok {
		return w.PutTTL(ctx, key, value, ttl)
	}
	return w.run("put", key, func() error { return mp.PutMeta(ctx, w.key(key), value, meta, ttl) })
}

func (w *wrapped) GetMany(ctx context.Context, keys []string) (out map[string][]byte, err error) {
	bg, ok := w.next.(BulkGetter)
	if !ok {
		out = make(map[string][]byte, len(keys))
		for _, k := range keys {
			v, err := w.Get(ctx, k)
			if IsNotFound(err) {
				continue
			}
			if err != nil {
				return nil, err
			}
			out[k] = v
		}
		return out, nil
	}
	mapped := make([]string, len(keys))
	for i, k := range keys {
		mapped[i] = w.key(k)
	}
	err = w.run("bulk_get", "", func() error {
		got, err := bg.GetMany(ctx, mapped)
		if err != nil {
			return err
		}
		out = make(map[string][]byte, len(got))
		for k, v := range got {
			if w.unmapKey != nil {
				k = w.unmapKey(k)
			}
			out[k] = v
		}
		return nil
	})
	return out, err
}
