package storemw

import (
	"context"
	"sort"
	"strconv"
	"sync"

	"example.com/shortlinks/internal/store"
)

// Metrics counts operations per isolate and periodically folds them into
// totals the admin dashboard reads.
type Metrics struct {
	next store.Store

	mu  sync.Mutex
	ops map[string]int64
}

func NewMetrics(next store.Store) *Metrics {
	return &Metrics{next: next, ops: map[string]int64{}}
}

func (m *Metrics) inc(op string) {
	m.mu.Lock()
	m.ops[op]++
	m.mu.Unlock()
}

func (m *Metrics) Get(ctx context.Context, key string) (string, bool, error) {
	m.inc("get")
	return m.next.Get(ctx, key)
}

func (m *Metrics) Put(ctx context.Context, key, value string, opts ...store.PutOption) error {
	m.inc("put")
	return m.next.Put(ctx, key, value, opts...)
}

func (m *Metrics) Delete(ctx context.Context, key string) error {
	m.inc("delete")
	return m.next.Delete(ctx, key)
}

func (m *Metrics) List(ctx context.Context, p store.ListParams) (store.Page, error) {
	m.inc("list")
	return m.next.List(ctx, p)
}

func (m *Metrics) drain() map[string]int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := m.ops
	m.ops = map[string]int64{}
	return out
}

// Flush adds the counts gathered since the last flush to the stored totals.
func (m *Metrics) Flush(ctx context.Context) error {
	snap := m.drain()
	ops := make([]string, 0, len(snap))
	for op := range snap {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	for _, op := range ops {
		key := "metrics:ops:" + op
		var total int64
		v, ok, err := m.next.Get(ctx, key)
		if err != nil {
			return err
		}
		if ok {
			total, _ = strconv.ParseInt(v, 10, 64)
		}
		if err := m.next.Put(ctx, key, strconv.FormatInt(total+snap[op], 10)); err != nil { // EXPECT kvcounter
			return err
		}
	}
	return nil
}
