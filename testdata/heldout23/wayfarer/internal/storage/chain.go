package storage

import (
	"context"
	"strings"
	"time"
)

// Decorator wraps a Store with cross-cutting behaviour.
type Decorator func(Store) Store

// Chain applies decorators so that the first one listed is the outermost:
// Chain(base, A, B) == A(B(base)). Decorated stores expose only the Store
// methods; upgrade to optional capabilities on the base adapter.
func Chain(base Store, ds ...Decorator) Store {
	for i := len(ds) - 1; i >= 0; i-- {
		if ds[i] != nil {
			base = ds[i](base)
		}
	}
	return base
}

// Metrics receives one observation per store call.
type Metrics interface {
	Observe(op string, elapsed time.Duration, err error)
}

// Logger is the subset of *log.Logger the decorators need.
type Logger interface {
	Printf(format string, args ...any)
}

func WithMetrics(m Metrics) Decorator {
	return func(next Store) Store { return &metered{next: next, m: m} }
}

type metered struct {
	next Store
	m    Metrics
}

func (s *metered) observe(op string, start time.Time, err error) {
	s.m.Observe(op, time.Since(start), err)
}

func (s *metered) Get(ctx context.Context, key string) (b []byte, err error) {
	start := time.Now()
	defer func() { s.observe("get", start, err) }()
	return s.next.Get(ctx, key)
}

func (s *metered) Put(ctx context.Context, key string, v []byte, opts ...Option[PutOptions]) (err error) {
	start := time.Now()
	defer func() { s.observe("put", start, err) }()
	return s.next.Put(ctx, key, v, opts...)
}

func (s *metered) Delete(ctx context.Context, key string) (err error) {
	start := time.Now()
	defer func() { s.observe("delete", start, err) }()
	return s.next.Delete(ctx, key)
}

func (s *metered) List(ctx context.Context, q ListQuery) (p Page, err error) {
	start := time.Now()
	defer func() { s.observe("list", start, err) }()
	return s.next.List(ctx, q)
}

// WithLogging logs writes, deletes and failed reads.
func WithLogging(l Logger) Decorator {
	return func(next Store) Store { return &logged{next: next, l: l} }
}

type logged struct {
	next Store
	l    Logger
}

func (s *logged) Get(ctx context.Context, key string) ([]byte, error) {
	b, err := s.next.Get(ctx, key)
	if err != nil && !IsNotFound(err) {
		s.l.Printf("kv get %q: %v", key, err)
	}
	return b, err
}

func (s *logged) Put(ctx context.Context, key string, v []byte, opts ...Option[PutOptions]) error {
	err := s.next.Put(ctx, key, v, opts...)
	s.l.Printf("kv put %q (%d bytes): err=%v", key, len(v), err)
	return err
}

func (s *logged) Delete(ctx context.Context, key string) error {
	err := s.next.Delete(ctx, key)
	s.l.Printf("kv delete %q: err=%v", key, err)
	return err
}

func (s *logged) List(ctx context.Context, q ListQuery) (Page, error) { return s.next.List(ctx, q) }

// WithPrefix namespaces every key under p, so several logical stores can
// share one KV namespace.
func WithPrefix(p string) Decorator {
	return func(next Store) Store { return &prefixed{next: next, p: p} }
}

type prefixed struct {
	next Store
	p    string
}

func (s *prefixed) Get(ctx context.Context, key string) ([]byte, error) {
	return s.next.Get(ctx, s.p+key)
}

func (s *prefixed) Put(ctx context.Context, key string, v []byte, opts ...Option[PutOptions]) error {
	return s.next.Put(ctx, s.p+key, v, opts...)
}

func (s *prefixed) Delete(ctx context.Context, key string) error {
	return s.next.Delete(ctx, s.p+key)
}

func (s *prefixed) List(ctx context.Context, q ListQuery) (Page, error) {
	q.Prefix = s.p + q.Prefix
	page, err := s.next.List(ctx, q)
	for i := range page.Keys {
		page.Keys[i].Name = strings.TrimPrefix(page.Keys[i].Name, s.p)
	}
	return page, err
}
