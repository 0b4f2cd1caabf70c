package kvstore

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cenkalti/backoff/v4"
)

// WithPrefix namespaces every key under prefix.
func WithPrefix(prefix string) Layer {
	return func(next Store) Store { return prefixed{next, prefix} }
}

type prefixed struct {
	next   Store
	prefix string
}

func (p prefixed) Get(ctx context.Context, key string) ([]byte, error) {
	return p.next.Get(ctx, p.prefix+key)
}

func (p prefixed) Put(ctx context.Context, e Entry) error {
	e.Key = p.prefix + e.Key
	return p.next.Put(ctx, e)
}

func (p prefixed) Delete(ctx context.Context, key string) error {
	return p.next.Delete(ctx, p.prefix+key)
}

func (p prefixed) List(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	page, err := p.next.List(ctx, p.prefix+prefix, cursor, limit)
	for i, k := range page.Keys {
		page.Keys[i] = strings.TrimPrefix(k, p.prefix)
	}
	return page, err
}

// WithDefaultTTL gives entries written without a lifetime the lifetime d.
func WithDefaultTTL(d time.Duration) Layer {
	return func(next Store) Store { return defaultTTL{next, d} }
}

type defaultTTL struct {
	Store
	d time.Duration
}

func (s defaultTTL) Put(ctx context.Context, e Entry) error {
	if e.TTL == 0 && e.Expires == 0 {
		e.TTL = int(s.d.Seconds())
	}
	return s.Store.Put(ctx, e)
}

// WithTTLFloor raises any lifetime below floor to floor.
func WithTTLFloor(floor time.Duration) Layer {
	return func(next Store) Store { return ttlFloor{next, int(floor.Seconds())} }
}

type ttlFloor struct {
	Store
	floor int
}

func (s ttlFloor) Put(ctx context.Context, e Entry) error {
	if e.TTL > 0 && e.TTL < s.floor {
		e.TTL = s.floor
	}
	return s.Store.Put(ctx, e)
}

// WithRetry retries transient failures with exponential backoff.
func WithRetry(maxElapsed time.Duration) Layer {
	return func(next Store) Store { return retrying{next, maxElapsed} }
}

type retrying struct {
	next       Store
	maxElapsed time.Duration
}

func (r retrying) policy(ctx context.Context) backoff.BackOff {
	b := backoff.NewExponentialBackOff()
	b.MaxElapsedTime = r.maxElapsed
	return backoff.WithContext(b, ctx)
}

func permanentIfMissing(err error) error {
	if errors.Is(err, ErrNotFound) {
		return backoff.Permanent(err)
	}
	return err
}

func (r retrying) Get(ctx context.Context, key string) ([]byte, error) {
	return backoff.RetryWithData(func() ([]byte, error) {
		v, err := r.next.Get(ctx, key)
		return v, permanentIfMissing(err)
	}, r.policy(ctx))
}

func (r retrying) Put(ctx context.Context, e Entry) error {
	return backoff.Retry(func() error { return r.next.Put(ctx, e) }, r.policy(ctx))
}

func (r retrying) Delete(ctx context.Context, key string) error {
	return backoff.Retry(func() error { return r.next.Delete(ctx, key) }, r.policy(ctx))
}

func (r retrying) List(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	return backoff.RetryWithData(func() (Page, error) {
		return r.next.List(ctx, prefix, cursor, limit)
	}, r.policy(ctx))
}

// Counters records operation counts for the /debug endpoint.
type Counters struct {
	Gets, Puts, Deletes, Lists, Errors atomic.Int64
}

// WithMetrics counts operations into c.
func WithMetrics(c *Counters) Layer {
	return func(next Store) Store { return metered{next, c} }
}

type metered struct {
	next Store
	c    *Counters
}

func (m metered) note(n *atomic.Int64, err error) {
	n.Add(1)
	if err != nil && !errors.Is(err, ErrNotFound) {
		m.c.Errors.Add(1)
	}
}

func (m metered) Get(ctx context.Context, key string) ([]byte, error) {
	v, err := m.next.Get(ctx, key)
	m.note(&m.c.Gets, err)
	return v, err
}

func (m metered) Put(ctx context.Context, e Entry) error {
	err := m.next.Put(ctx, e)
	m.note(&m.c.Puts, err)
	return err
}

func (m metered) Delete(ctx context.Context, key string) error {
	err := m.next.Delete(ctx, key)
	m.note(&m.c.Deletes, err)
	return err
}

func (m metered) List(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	p, err := m.next.List(ctx, prefix, cursor, limit)
	m.note(&m.c.Lists, err)
	return p, err
}

// WithReadCache keeps values read or written through this process for d.
func WithReadCache(d time.Duration) Layer {
	return func(next Store) Store {
		return &readCache{Store: next, d: d, items: map[string]cached{}}
	}
}

type cached struct {
	v  []byte
	at time.Time
}

type readCache struct {
	Store
	d     time.Duration
	mu    sync.Mutex
	items map[string]cached
}

func (c *readCache) Get(ctx context.Context, key string) ([]byte, error) {
	c.mu.Lock()
	it, ok := c.items[key]
	c.mu.Unlock()
	if ok && time.Since(it.at) < c.d {
		return it.v, nil
	}
	v, err := c.Store.Get(ctx, key)
	if err == nil {
		c.mu.Lock()
		c.items[key] = cached{v, time.Now()}
		c.mu.Unlock()
	}
	return v, err
}

func (c *readCache) Put(ctx context.Context, e Entry) error {
	c.mu.Lock()
	delete(c.items, e.Key)
	c.mu.Unlock()
	return c.Store.Put(ctx, e)
}

func (c *readCache) Delete(ctx context.Context, key string) error {
	c.mu.Lock()
	delete(c.items, key)
	c.mu.Unlock()
	return c.Store.Delete(ctx, key)
}
