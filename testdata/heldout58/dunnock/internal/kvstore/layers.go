package kvstore

import (
	"context"
	"expvar"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/samber/lo"
)

// Layer wraps a Store with extra behaviour.
type Layer func(Store) Store

// Compose applies layers so that the first one listed is the outermost.
func Compose(base Store, layers ...Layer) Store {
	s := base
	for _, layer := range slices.Backward(layers) {
		s = layer(s)
	}
	return s
}

// ---- namespacing ----

type prefixed struct {
	next   Store
	prefix string
}

// Namespaced prepends prefix to every key.
func Namespaced(prefix string) Layer {
	return func(s Store) Store { return &prefixed{next: s, prefix: prefix} }
}

func (p *prefixed) Get(ctx context.Context, key string) ([]byte, error) {
	return p.next.Get(ctx, p.prefix+key)
}

func (p *prefixed) Put(ctx context.Context, e Entry) error {
	e.Key = p.prefix + e.Key
	return p.next.Put(ctx, e)
}

func (p *prefixed) Delete(ctx context.Context, key string) error {
	return p.next.Delete(ctx, p.prefix+key)
}

func (p *prefixed) List(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	page, err := p.next.List(ctx, p.prefix+prefix, cursor, limit)
	page.Keys = lo.Map(page.Keys, func(k string, _ int) string { return strings.TrimPrefix(k, p.prefix) })
	return page, err
}

func (p *prefixed) PutMany(ctx context.Context, entries []Entry) error {
	out := make([]Entry, len(entries))
	for i, e := range slices.All(entries) {
		out[i] = Entry{p.prefix + e.Key, e.Value, e.TTL}
	}
	return p.next.PutMany(ctx, out)
}

// ---- TTL defaults ----

type ttlDefault struct {
	Store
	seconds int
}

// DefaultTTL gives entries without a TTL the lifetime d.
func DefaultTTL(d time.Duration) Layer {
	return func(s Store) Store { return &ttlDefault{Store: s, seconds: int(d.Seconds())} }
}

func (t *ttlDefault) Put(ctx context.Context, e Entry) error {
	if e.TTL == 0 {
		e.TTL = t.seconds
	}
	return t.Store.Put(ctx, e)
}

func (t *ttlDefault) PutMany(ctx context.Context, entries []Entry) error {
	for i := range entries {
		if entries[i].TTL == 0 {
			entries[i].TTL = t.seconds
		}
	}
	return t.Store.PutMany(ctx, entries)
}

type ttlFloor struct{ Store }

// MinimumTTL raises any non-zero TTL below a minute to a minute.
func MinimumTTL() Layer { return func(s Store) Store { return ttlFloor{s} } }

func (t ttlFloor) Put(ctx context.Context, e Entry) error {
	if e.TTL > 0 && e.TTL < 60 {
		e.TTL = 60
	}
	return t.Store.Put(ctx, e)
}

// ---- retries ----

type retrying struct {
	Store
	attempts uint64
}

// Retrying retries writes with exponential backoff.
func Retrying(attempts uint64) Layer {
	return func(s Store) Store { return &retrying{Store: s, attempts: attempts} }
}

func (r *retrying) policy(ctx context.Context) backoff.BackOff {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = 250 * time.Millisecond
	return backoff.WithContext(backoff.WithMaxRetries(b, r.attempts), ctx)
}

func (r *retrying) Put(ctx context.Context, e Entry) error {
	return backoff.Retry(func() error { return r.Store.Put(ctx, e) }, r.policy(ctx))
}

func (r *retrying) Delete(ctx context.Context, key string) error {
	return backoff.Retry(func() error { return r.Store.Delete(ctx, key) }, r.policy(ctx))
}

// ---- metrics ----

var ops = expvar.NewMap("kv_ops")

type metered struct {
	Store
	name string
}

// Metered counts operations per store name in expvar.
func Metered(name string) Layer {
	return func(s Store) Store { return &metered{Store: s, name: name} }
}

func (m *metered) Get(ctx context.Context, key string) ([]byte, error) {
	ops.Add(m.name+".get", 1)
	return m.Store.Get(ctx, key)
}

func (m *metered) Put(ctx context.Context, e Entry) error {
	ops.Add(m.name+".put", 1)
	return m.Store.Put(ctx, e)
}

// ---- a small in-process read cache ----

type cached struct {
	Store
	mu   sync.Mutex
	ttl  time.Duration
	vals map[string]cachedVal
}

type cachedVal struct {
	b  []byte
	at time.Time
}

// Cached keeps reads in memory for ttl and drops them on write.
func Cached(ttl time.Duration) Layer {
	return func(s Store) Store { return &cached{Store: s, ttl: ttl, vals: map[string]cachedVal{}} }
}

func (c *cached) Get(ctx context.Context, key string) ([]byte, error) {
	c.mu.Lock()
	v, ok := c.vals[key]
	c.mu.Unlock()
	if ok && time.Since(v.at) < c.ttl {
		return v.b, nil
	}
	b, err := c.Store.Get(ctx, key)
	if err == nil {
		c.mu.Lock()
		c.vals[key] = cachedVal{b, time.Now()}
		c.mu.Unlock()
	}
	return b, err
}

func (c *cached) Put(ctx context.Context, e Entry) error {
	c.mu.Lock()
	delete(c.vals, e.Key)
	c.mu.Unlock()
	return c.Store.Put(ctx, e)
}
