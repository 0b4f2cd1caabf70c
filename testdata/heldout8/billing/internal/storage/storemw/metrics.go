package storemw

import (
	"context"
	"errors"
	"sync/atomic"

	"example.com/billing/internal/storage"
)

// Counters are exported on /debug/vars by main.
type Counters struct {
	Gets, Misses, Puts, Deletes, Lists, Errors atomic.Int64
}

// Metrics counts operations per kind.
type Metrics struct {
	next storage.Store
	c    *Counters
}

// WithMetrics wraps next and records into c.
func WithMetrics(next storage.Store, c *Counters) *Metrics {
	return &Metrics{next: next, c: c}
}

func (m *Metrics) track(err error) {
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		m.c.Errors.Add(1)
	}
}

func (m *Metrics) Get(ctx context.Context, key string) ([]byte, error) {
	m.c.Gets.Add(1)
	v, err := m.next.Get(ctx, key)
	if errors.Is(err, storage.ErrNotFound) {
		m.c.Misses.Add(1)
	}
	m.track(err)
	return v, err
}

func (m *Metrics) Put(ctx context.Context, key string, value []byte, opts ...storage.PutOption) error {
	m.c.Puts.Add(1)
	err := m.next.Put(ctx, key, value, opts...)
	m.track(err)
	return err
}

func (m *Metrics) Delete(ctx context.Context, key string) error {
	m.c.Deletes.Add(1)
	err := m.next.Delete(ctx, key)
	m.track(err)
	return err
}

func (m *Metrics) List(ctx context.Context, opts storage.ListOptions) (storage.Page, error) {
	m.c.Lists.Add(1)
	p, err := m.next.List(ctx, opts)
	m.track(err)
	return p, err
}
