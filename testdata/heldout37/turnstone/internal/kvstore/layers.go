package kvstore

import (
	"maps"
	"strings"
	"sync"
	"time"
)

// Layer wraps a store in another behaviour.
type Layer func(next Full) Full

// Stack applies layers to base in order; the last layer is the outermost.
func Stack(base Full, layers ...Layer) Full {
	s := base
	for _, l := range layers {
		s = l(s)
	}
	return s
}

// WithPrefix scopes every key under p.
func WithPrefix(p Key) Layer {
	return func(next Full) Full { return &prefixed{next: next, prefix: p} }
}

type prefixed struct {
	next   Full
	prefix Key
}

func (p *prefixed) Get(k Key) (string, error) { return p.next.Get(p.prefix + k) }
func (p *prefixed) Delete(k Key) error        { return p.next.Delete(p.prefix + k) }
func (p *prefixed) Put(k Key, v string, ttl time.Duration) error {
	return p.next.Put(p.prefix+k, v, ttl)
}
func (p *prefixed) List(prefix Key, cursor string, limit int) (Page, error) {
	pg, err := p.next.List(p.prefix+prefix, cursor, limit)
	for i := range pg.Keys {
		pg.Keys[i].Name = Key(strings.TrimPrefix(string(pg.Keys[i].Name), string(p.prefix)))
	}
	return pg, err
}

// Metrics counts operations per name.
type Metrics struct {
	mu    sync.Mutex
	calls map[string]int
}

func NewMetrics() *Metrics { return &Metrics{calls: map[string]int{}} }

func (m *Metrics) observe(op string, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls[op]++
	if err != nil && err != ErrNotFound {
		m.calls[op+"_err"]++
	}
}

// Snapshot returns a copy of the counters.
func (m *Metrics) Snapshot() map[string]int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return maps.Clone(m.calls)
}

// WithMetrics records every operation in m.
func WithMetrics(m *Metrics) Layer {
	return func(next Full) Full { return &metered{next: next, m: m} }
}

type metered struct {
	next Full
	m    *Metrics
}

func (s *metered) Get(k Key) (string, error) {
	v, err := s.next.Get(k)
	s.m.observe("get", err)
	return v, err
}
func (s *metered) Put(k Key, v string, ttl time.Duration) error {
	err := s.next.Put(k, v, ttl)
	s.m.observe("put", err)
	return err
}
func (s *metered) Delete(k Key) error {
	err := s.next.Delete(k)
	s.m.observe("delete", err)
	return err
}
func (s *metered) List(prefix Key, cursor string, limit int) (Page, error) {
	pg, err := s.next.List(prefix, cursor, limit)
	s.m.observe("list", err)
	return pg, err
}

// ReadOnly rejects writes and deletes.
func ReadOnly() Layer { return func(next Full) Full { return &readOnly{next: next} } }

type readOnly struct{ next Full }

func (s *readOnly) Get(k Key) (string, error)                 { return s.next.Get(k) }
func (s *readOnly) Put(Key, string, time.Duration) error      { return ErrReadOnly }
func (s *readOnly) Delete(Key) error                          { return ErrReadOnly }
func (s *readOnly) List(p Key, c string, n int) (Page, error) { return s.next.List(p, c, n) }

// WithTTLFloor raises any non-zero ttl below min to min.
func WithTTLFloor(min time.Duration) Layer {
	return func(next Full) Full { return &floored{next: next, min: min} }
}

type floored struct {
	next Full
	min  time.Duration
}

func (s *floored) Get(k Key) (string, error) { return s.next.Get(k) }
func (s *floored) Delete(k Key) error        { return s.next.Delete(k) }
func (s *floored) Put(k Key, v string, ttl time.Duration) error {
	if ttl > 0 && ttl < s.min {
		ttl = s.min
	}
	return s.next.Put(k, v, ttl)
}
func (s *floored) List(p Key, c string, n int) (Page, error) { return s.next.List(p, c, n) }
