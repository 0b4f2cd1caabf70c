package kvstore

import (
	"context"
	"errors"
	"maps"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v4"
)

// Namespaced prefixes every key with prefix and a colon.
func Namespaced(prefix string) Layer {
	return func(next Store) Store { return &namespaced{next: next, prefix: prefix + ":"} }
}

type namespaced struct {
	next   Store
	prefix string
}

func (n *namespaced) Get(ctx context.Context, key string) ([]byte, error) {
	return n.next.Get(ctx, n.prefix+key)
}

func (n *namespaced) Put(ctx context.Context, e Entry) error {
	e.Key = n.prefix + e.Key
	return n.next.Put(ctx, e)
}

func (n *namespaced) PutMany(ctx context.Context, es []Entry) error {
	out := make([]Entry, len(es))
	for i, e := range es {
		out[i] = Entry{n.prefix + e.Key, e.Value, e.TTL}
	}
	return n.next.PutMany(ctx, out)
}

func (n *namespaced) Delete(ctx context.Context, key string) error {
	return n.next.Delete(ctx, n.prefix+key)
}

func (n *namespaced) List(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	p, err := n.next.List(ctx, n.prefix+prefix, cursor, limit)
	for i, k := range p.Keys {
		p.Keys[i] = strings.TrimPrefix(k, n.prefix)
	}
	return p, err
}

// TTLPolicy gives entries without a lifetime the default def, and raises any
// lifetime below floor to floor. Both are in seconds.
func TTLPolicy(def, floor int) Layer {
	return func(next Store) Store { return &ttlPolicy{next: next, def: def, floor: floor} }
}

type ttlPolicy struct {
	next       Store
	def, floor int
}

func (t *ttlPolicy) fix(e Entry) Entry {
	if e.TTL == 0 {
		e.TTL = t.def
	}
	if e.TTL > 0 && e.TTL < t.floor {
		e.TTL = t.floor
	}
	return e
}

func (t *ttlPolicy) Get(ctx context.Context, key string) ([]byte, error) { return t.next.Get(ctx, key) }
func (t *ttlPolicy) Put(ctx context.Context, e Entry) error              { return t.next.Put(ctx, t.fix(e)) }
func (t *ttlPolicy) PutMany(ctx context.Context, es []Entry) error {
	fixed := make([]Entry, 0, len(es))
	for _, e := range es {
		fixed = append(fixed, t.fix(e))
	}
	return t.next.PutMany(ctx, fixed)
}
func (t *ttlPolicy) Delete(ctx context.Context, key string) error { return t.next.Delete(ctx, key) }
func (t *ttlPolicy) List(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	return t.next.List(ctx, prefix, cursor, limit)
}

// Retry retries failed calls with exponential backoff, up to tries attempts.
// Not-found answers are returned at once.
func Retry(tries uint64) Layer {
	return func(next Store) Store { return &retrying{next: next, tries: tries} }
}

type retrying struct {
	next  Store
	tries uint64
}

func (r *retrying) policy(ctx context.Context) backoff.BackOff {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = 150 * time.Millisecond
	return backoff.WithContext(backoff.WithMaxRetries(b, r.tries), ctx)
}

func (r *retrying) Get(ctx context.Context, key string) ([]byte, error) {
	return backoff.RetryWithData(func() ([]byte, error) {
		v, err := r.next.Get(ctx, key)
		if errors.Is(err, ErrNotFound) {
			return nil, backoff.Permanent(err)
		}
		return v, err
	}, r.policy(ctx))
}

func (r *retrying) Put(ctx context.Context, e Entry) error {
	return backoff.Retry(func() error { return r.next.Put(ctx, e) }, r.policy(ctx))
}

func (r *retrying) PutMany(ctx context.Context, es []Entry) error {
	return backoff.Retry(func() error { return r.next.PutMany(ctx, es) }, r.policy(ctx))
}

func (r *retrying) Delete(ctx context.Context, key string) error {
	return backoff.Retry(func() error { return r.next.Delete(ctx, key) }, r.policy(ctx))
}

func (r *retrying) List(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	return backoff.RetryWithData(func() (Page, error) {
		return r.next.List(ctx, prefix, cursor, limit)
	}, r.policy(ctx))
}

// Metrics counts calls per operation in memory.
type Metrics struct {
	mu   sync.Mutex
	hits map[string]int64
}

// NewMetrics returns an empty counter set.
func NewMetrics() *Metrics { return &Metrics{hits: map[string]int64{}} }

func (m *Metrics) inc(op string) {
	m.mu.Lock()
	m.hits[op]++
	m.mu.Unlock()
}

// Layer returns the layer that records into m.
func (m *Metrics) Layer() Layer {
	return func(next Store) Store { return &metered{next: next, m: m} }
}

// Flush publishes the per-operation totals so the ops dashboard can read them.
func (m *Metrics) Flush(ctx context.Context, s Store, instance string) error {
	m.mu.Lock()
	snapshot := maps.Clone(m.hits)
	m.mu.Unlock()
	var errs []error
	for op, n := range maps.All(snapshot) {
		key := "metrics:hits:" + instance + ":" + op
		errs = append(errs, s.Put(ctx, Entry{key, []byte(strconv.FormatInt(n, 10)), 3600})) // EXPECT kvcounter
	}
	return errors.Join(errs...)
}

type metered struct {
	next Store
	m    *Metrics
}

func (s *metered) Get(ctx context.Context, key string) ([]byte, error) {
	s.m.inc("get")
	return s.next.Get(ctx, key)
}
func (s *metered) Put(ctx context.Context, e Entry) error { s.m.inc("put"); return s.next.Put(ctx, e) }
func (s *metered) PutMany(ctx context.Context, es []Entry) error {
	s.m.inc("put_many")
	return s.next.PutMany(ctx, es)
}
func (s *metered) Delete(ctx context.Context, key string) error {
	s.m.inc("delete")
	return s.next.Delete(ctx, key)
}
func (s *metered) List(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	s.m.inc("list")
	return s.next.List(ctx, prefix, cursor, limit)
}

// Cached keeps values read in the last window in process memory.
func Cached(window time.Duration) Layer {
	return func(next Store) Store { return &cached{next: next, window: window, items: map[string]cachedItem{}} }
}

type cachedItem struct {
	val []byte
	at  time.Time
}

type cached struct {
	next   Store
	window time.Duration
	mu     sync.Mutex
	items  map[string]cachedItem
}

func (c *cached) Get(ctx context.Context, key string) ([]byte, error) {
	c.mu.Lock()
	it, ok := c.items[key]
	c.mu.Unlock()
	if ok && time.Since(it.at) < c.window {
		return it.val, nil
	}
	v, err := c.next.Get(ctx, key)
	if err == nil {
		c.mu.Lock()
		c.items[key] = cachedItem{v, time.Now()}
		c.mu.Unlock()
	}
	return v, err
}

func (c *cached) forget(key string) {
	c.mu.Lock()
	delete(c.items, key)
	c.mu.Unlock()
}

func (c *cached) Put(ctx context.Context, e Entry) error { c.forget(e.Key); return c.next.Put(ctx, e) }
func (c *cached) PutMany(ctx context.Context, es []Entry) error {
	for _, e := range es {
		c.forget(e.Key)
	}
	return c.next.PutMany(ctx, es)
}
func (c *cached) Delete(ctx context.Context, key string) error {
	c.forget(key)
	return c.next.Delete(ctx, key)
}
func (c *cached) List(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	return c.next.List(ctx, prefix, cursor, limit)
}
