package kvstore

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"
)

// WithPrefix scopes every key under p.
func WithPrefix(p Key) Layer {
	return func(next Namespace) Namespace { return &prefixed{next: next, prefix: p} }
}

type prefixed struct {
	next   Namespace
	prefix Key
}

func (p *prefixed) Get(ctx context.Context, k Key) (string, error) {
	return p.next.Get(ctx, p.prefix+k)
}
func (p *prefixed) Delete(ctx context.Context, k Key) error { return p.next.Delete(ctx, p.prefix+k) }

func (p *prefixed) Put(ctx context.Context, k Key, v string, ttl time.Duration) error {
	return p.next.Put(ctx, p.prefix+k, v, ttl)
}

func (p *prefixed) List(ctx context.Context, o ListOptions) (Page, error) {
	o.Prefix = p.prefix + o.Prefix
	page, err := p.next.List(ctx, o)
	for i, e := range page.Keys {
		page.Keys[i].Name = Key(strings.TrimPrefix(string(e.Name), string(p.prefix)))
	}
	return page, err
}

// Metrics counts operations, for the /debug/kv page.
type Metrics struct {
	Reads, Misses, Writes, Deletes, Lists atomic.Int64
}

// WithMetrics records every operation in m.
func WithMetrics(m *Metrics) Layer {
	return func(next Namespace) Namespace { return &metered{next: next, m: m} }
}

type metered struct {
	next Namespace
	m    *Metrics
}

func (s *metered) Get(ctx context.Context, k Key) (string, error) {
	s.m.Reads.Add(1)
	v, err := s.next.Get(ctx, k)
	if err == nil && v == Missing {
		s.m.Misses.Add(1)
	}
	return v, err
}

func (s *metered) Put(ctx context.Context, k Key, v string, ttl time.Duration) error {
	s.m.Writes.Add(1)
	return s.next.Put(ctx, k, v, ttl)
}

func (s *metered) Delete(ctx context.Context, k Key) error {
	s.m.Deletes.Add(1)
	return s.next.Delete(ctx, k)
}

func (s *metered) List(ctx context.Context, o ListOptions) (Page, error) {
	s.m.Lists.Add(1)
	return s.next.List(ctx, o)
}

// WithLogging logs writes, deletes and failures at debug level.
func WithLogging(log *slog.Logger) Layer {
	return func(next Namespace) Namespace { return &logged{next: next, log: log} }
}

type logged struct {
	next Namespace
	log  *slog.Logger
}

func (l *logged) Get(ctx context.Context, k Key) (string, error)        { return l.next.Get(ctx, k) }
func (l *logged) List(ctx context.Context, o ListOptions) (Page, error) { return l.next.List(ctx, o) }

func (l *logged) Put(ctx context.Context, k Key, v string, ttl time.Duration) error {
	err := l.next.Put(ctx, k, v, ttl)
	l.log.DebugContext(ctx, "kv put", "key", k, "bytes", len(v), "ttl", ttl, "err", err)
	return err
}

func (l *logged) Delete(ctx context.Context, k Key) error {
	err := l.next.Delete(ctx, k)
	l.log.DebugContext(ctx, "kv delete", "key", k, "err", err)
	return err
}

// ErrReadOnly is returned by writes through a ReadOnly stack.
var ErrReadOnly = errors.New("kvstore: namespace is read-only here")

// ReadOnly refuses writes and deletes.
func ReadOnly() Layer {
	return func(next Namespace) Namespace { return &readOnly{next: next} }
}

type readOnly struct{ next Namespace }

func (r *readOnly) Get(ctx context.Context, k Key) (string, error)        { return r.next.Get(ctx, k) }
func (r *readOnly) List(ctx context.Context, o ListOptions) (Page, error) { return r.next.List(ctx, o) }
func (r *readOnly) Put(context.Context, Key, string, time.Duration) error { return ErrReadOnly }
func (r *readOnly) Delete(context.Context, Key) error                     { return ErrReadOnly }

// WithTTLFloor raises every expiring write to at least floor.
func WithTTLFloor(floor time.Duration) Layer {
	return func(next Namespace) Namespace { return &floored{next: next, floor: floor} }
}

type floored struct {
	next  Namespace
	floor time.Duration
}

func (f *floored) Get(ctx context.Context, k Key) (string, error)        { return f.next.Get(ctx, k) }
func (f *floored) Delete(ctx context.Context, k Key) error               { return f.next.Delete(ctx, k) }
func (f *floored) List(ctx context.Context, o ListOptions) (Page, error) { return f.next.List(ctx, o) }

func (f *floored) Put(ctx context.Context, k Key, v string, ttl time.Duration) error {
	if ttl > 0 {
		ttl = max(ttl, f.floor)
	}
	return f.next.Put(ctx, k, v, ttl)
}
