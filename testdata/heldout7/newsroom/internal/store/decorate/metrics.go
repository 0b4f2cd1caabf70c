package decorate

import (
	"context"
	"sync/atomic"

	"example.com/newsroom/internal/store"
)

// OpCounts are process-local operation counters exported on /admin/metrics.
type OpCounts struct {
	Gets, Misses, Puts, Deletes, Lists atomic.Int64
}

// Metrics counts operations per Worker isolate.
type Metrics struct {
	next   store.Store
	counts *OpCounts
}

// WithMetrics wraps next and records into counts.
func WithMetrics(next store.Store, counts *OpCounts) *Metrics {
	return &Metrics{next: next, counts: counts}
}

func (m *Metrics) Get(ctx context.Context, key string) ([]byte, error) {
	m.counts.Gets.Add(1)
	v, err := m.next.Get(ctx, key)
	if err == store.ErrNotFound {
		m.counts.Misses.Add(1)
	}
	return v, err
}

func (m *Metrics) Put(ctx context.Context, key string, value []byte, opts ...store.PutOption) error {
	m.counts.Puts.Add(1)
	return m.next.Put(ctx, key, value, opts...)
}

func (m *Metrics) Delete(ctx context.Context, key string) error {
	m.counts.Deletes.Add(1)
	return m.next.Delete(ctx, key)
}

func (m *Metrics) List(ctx context.Context, p store.ListParams) (store.Page, error) {
	m.counts.Lists.Add(1)
	return m.next.List(ctx, p)
}
