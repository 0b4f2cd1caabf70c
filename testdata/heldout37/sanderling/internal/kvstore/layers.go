package kvstore

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"
)

// Layer wraps a Namespace in a decorator.
type Layer func(next Namespace) Namespace

// Stack wraps base in layers; the first layer is the outermost.
//
//	ns := kvstore.Stack(rest, kvstore.WithPrefix("auth:"), kvstore.WithMetrics(m))
func Stack(base Namespace, layers ...Layer) Namespace {
	ns := base
	for i := len(layers) - 1; i >= 0; i-- {
		ns = layers[i](ns)
	}
	return ns
}

// WithPrefix scopes every key under p.
func WithPrefix(p Key) Layer {
	return func(next Namespace) Namespace { return &prefixed{next: next, prefix: p} }
}

type prefixed struct {
	next   Namespace
	prefix Key
}

func (p *prefixed) Get(ctx context.Context, k Key) ([]byte, error) {
	return p.next.Get(ctx, p.prefix+k)
}
func (p *prefixed) Delete(ctx context.Context, k Key) error { return p.next.Delete(ctx, p.prefix+k) }

func (p *prefixed) GetMeta(ctx context.Context, k Key, meta any) ([]byte, error) {
	return p.next.GetMeta(ctx, p.prefix+k, meta)
}

func (p *prefixed) Put(ctx context.Context, k Key, v []byte, o PutOptions) error {
	return p.next.Put(ctx, p.prefix+k, v, o)
}

func (p *prefixed) List(ctx context.Context, o ListOptions) (Page, error) {
	o.Prefix = p.prefix + o.Prefix
	page, err := p.next.List(ctx, o)
	for i := range page.Entries {
		page.Entries[i].Key = page.Entries[i].Key.TrimPrefix(p.prefix)
	}
	return page, err
}

// Metrics counts KV operations by kind.
type Metrics struct {
	Reads, Writes, Deletes, Lists, Misses, Errors atomic.Int64
}

// WithMetrics counts operations into m.
func WithMetrics(m *Metrics) Layer {
	return func(next Namespace) Namespace { return &metered{next: next, m: m} }
}

type metered struct {
	next Namespace
	m    *Metrics
}

func (s *metered) count(c *atomic.Int64, err error) {
	c.Add(1)
	if IsNotFound(err) {
		s.m.Misses.Add(1)
	} else if err != nil {
		s.m.Errors.Add(1)
	}
}

func (s *metered) Get(ctx context.Context, k Key) ([]byte, error) {
	v, err := s.next.Get(ctx, k)
	s.count(&s.m.Reads, err)
	return v, err
}

func (s *metered) GetMeta(ctx context.Context, k Key, meta any) ([]byte, error) {
	v, err := s.next.GetMeta(ctx, k, meta)
	s.count(&s.m.Reads, err)
	return v, err
}

func (s *metered) Put(ctx context.Context, k Key, v []byte, o PutOptions) error {
	err := s.next.Put(ctx, k, v, o)
	s.count(&s.m.Writes, err)
	return err
}

func (s *metered) Delete(ctx context.Context, k Key) error {
	err := s.next.Delete(ctx, k)
	s.count(&s.m.Deletes, err)
	return err
}

func (s *metered) List(ctx context.Context, o ListOptions) (Page, error) {
	p, err := s.next.List(ctx, o)
	s.count(&s.m.Lists, err)
	return p, err
}

// WithLogging logs writes and deletes at debug level.
func WithLogging(log *slog.Logger) Layer {
	return func(next Namespace) Namespace { return &logged{next: next, log: log} }
}

type logged struct {
	next Namespace
	log  *slog.Logger
}

func (l *logged) Get(ctx context.Context, k Key) ([]byte, error) { return l.next.Get(ctx, k) }

func (l *logged) GetMeta(ctx context.Context, k Key, meta any) ([]byte, error) {
	return l.next.GetMeta(ctx, k, meta)
}

func (l *logged) List(ctx context.Context, o ListOptions) (Page, error) { return l.next.List(ctx, o) }

func (l *logged) Put(ctx context.Context, k Key, v []byte, o PutOptions) error {
	l.log.DebugContext(ctx, "kv put", "key", k, "bytes", len(v), "ttl", o.TTL)
	return l.next.Put(ctx, k, v, o)
}

func (l *logged) Delete(ctx context.Context, k Key) error {
	l.log.DebugContext(ctx, "kv delete", "key", k)
	return l.next.Delete(ctx, k)
}

// ReadOnly rejects writes and deletes.
func ReadOnly() Layer {
	return func(next Namespace) Namespace { return readOnly{next: next} }
}

type readOnly struct{ next Namespace }

func (r readOnly) Get(ctx context.Context, k Key) ([]byte, error)     { return r.next.Get(ctx, k) }
func (r readOnly) Put(context.Context, Key, []byte, PutOptions) error { return ErrReadOnly }
func (r readOnly) Delete(context.Context, Key) error                  { return ErrReadOnly }

func (r readOnly) GetMeta(ctx context.Context, k Key, meta any) ([]byte, error) {
	return r.next.GetMeta(ctx, k, meta)
}

func (r readOnly) List(ctx context.Context, o ListOptions) (Page, error) { return r.next.List(ctx, o) }

// WithTTLFloor raises every relative TTL below floor to floor.
func WithTTLFloor(floor time.Duration) Layer {
	return func(next Namespace) Namespace { return &ttlFloor{next: next, floor: floor} }
}

type ttlFloor struct {
	next  Namespace
	floor time.Duration
}

func (f *ttlFloor) Get(ctx context.Context, k Key) ([]byte, error) { return f.next.Get(ctx, k) }
func (f *ttlFloor) Delete(ctx context.Context, k Key) error        { return f.next.Delete(ctx, k) }

func (f *ttlFloor) GetMeta(ctx context.Context, k Key, meta any) ([]byte, error) {
	return f.next.GetMeta(ctx, k, meta)
}

func (f *ttlFloor) List(ctx context.Context, o ListOptions) (Page, error) { return f.next.List(ctx, o) }

func (f *ttlFloor) Put(ctx context.Context, k Key, v []byte, o PutOptions) error {
	if o.TTL != 0 {
		o.TTL = max(o.TTL, f.floor)
	}
	return f.next.Put(ctx, k, v, o)
}
