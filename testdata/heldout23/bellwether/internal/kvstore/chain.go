package kvstore

import (
	"context"
	"errors"
	"iter"
	"strings"
	"time"
)

// Decorator wraps a store with cross-cutting behaviour.
type Decorator func(Store) Store

// Chain applies decorators to base; the last decorator is outermost. Every
// decorated store keeps base's optional capabilities.
func Chain(base Store, ds ...Decorator) Store {
	s := base
	for _, d := range ds {
		s = d(s)
	}
	return s
}

// Metrics receives one observation per store call.
type Metrics interface {
	Observe(op string, d time.Duration, err error)
}

// Logger is the printf-style logger the service uses.
type Logger interface {
	Printf(format string, args ...any)
}

// WithMetrics reports the latency and outcome of each call.
func WithMetrics(m Metrics) Decorator {
	return func(next Store) Store {
		return &wrapped{next: next, in: identity, out: identity, around: func(op, _ string, fn func() error) error {
			start := time.Now()
			err := fn()
			m.Observe(op, time.Since(start), err)
			return err
		}}
	}
}

// WithLogging logs failed calls. Misses are not failures.
func WithLogging(l Logger) Decorator {
	return func(next Store) Store {
		return &wrapped{next: next, in: identity, out: identity, around: func(op, key string, fn func() error) error {
			err := fn()
			if err != nil && !errors.Is(err, ErrNotFound) {
				l.Printf("kv %s %q: %v", op, key, err)
			}
			return err
		}}
	}
}

// WithPrefix namespaces every key under p, and strips it from listings.
func WithPrefix(p string) Decorator {
	return func(next Store) Store {
		return &wrapped{
			next:  next,
			in:    func(k string) string { return p + k },
			out:   func(k string) string { return strings.TrimPrefix(k, p) },
			label: p,
		}
	}
}

type wrapped struct {
	next   Store
	in     func(string) string
	out    func(string) string
	around func(op, key string, fn func() error) error
	label  string
}

func identity(k string) string { return k }

func (w *wrapped) key(k string) string   { return w.in(k) }
func (w *wrapped) unkey(k string) string { return w.out(k) }

func (w *wrapped) do(op, key string, fn func() error) error {
	if w.around == nil {
		return fn()
	}
	return w.around(op, key, fn)
}

func (w *wrapped) Get(ctx context.Context, key string) ([]byte, error) {
	var v []byte
	err := w.do("get", key, func() (err error) {
		v, err = w.next.Get(ctx, w.key(key))
		return err
	})
	return v, err
}

func (w *wrapped) Put(ctx context.Context, key string, value []byte, opts ...PutOption) error {
	return w.do("put", key, func() error {
		return w.next.Put(ctx, w.key(key), value, opts...)
	})
}

func (w *wrapped) Delete(ctx context.Context, key string) error {
	return w.do("delete", key, func() error {
		return w.next.Delete(ctx, w.key(key))
	})
}

func (w *wrapped) PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	ts, ok := w.next.(TTLSetter)
	if !ok {
		return w.Put(ctx, key, value, WithTTL(ttl))
	}
	return w.do("put", key, func() error {
		return ts.PutTTL(ctx, w.key(key), value, ttl)
	})
}

func (w *wrapped) Keys(ctx context.Context, prefix string) iter.Seq2[string, error] {
	inner := Keys(ctx, w.next, w.key(prefix))
	return func(yield func(string, error) bool) {
		for k, err := range inner {
			if err != nil {
				yield("", err)
				return
			}
			if !yield(w.unkey(k), nil) {
				return
			}
		}
	}
}

func (w *wrapped) Page(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	p, ok := w.next.(Pager)
	if !ok {
		return Page{}, ErrUnsupported
	}
	var page Page
	err := w.do("list", prefix, func() (err error) {
		page, err = p.Page(ctx, w.key(prefix), cursor, limit)
		return err
	})
	for i := range page.Keys {
		page.Keys[i].Name = w.unkey(page.Keys[i].Name)
	}
	return page, err
}

func (w *wrapped) GetMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	mapped := make([]string, len(keys))
	for i, k := range keys {
		mapped[i] = w.key(k)
	}
	var raw map[string][]byte
	err := w.do("bulk-get", w.label, func() (err error) {
		raw, err = GetMany(ctx, w.next, mapped)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string][]byte, len(raw))
	for k, v := range raw {
		out[w.unkey(k)] = v
	}
	return out, nil
}
