package storemw

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"

	"example.com/identity/internal/store"
)

// Metrics counts operations per kind. Flush publishes running totals to the
// same namespace so the ops dashboard Worker can show them.
type Metrics struct {
	next                 store.Store
	gets, puts, dels, ls atomic.Int64
}

// WithMetrics wraps next.
func WithMetrics(next store.Store) *Metrics { return &Metrics{next: next} }

func (m *Metrics) Get(ctx context.Context, key string) ([]byte, error) {
	m.gets.Add(1)
	return m.next.Get(ctx, key)
}

func (m *Metrics) Put(ctx context.Context, key string, value []byte, opts ...store.PutOption) error {
	m.puts.Add(1)
	return m.next.Put(ctx, key, value, opts...)
}

func (m *Metrics) Delete(ctx context.Context, key string) error {
	m.dels.Add(1)
	return m.next.Delete(ctx, key)
}

func (m *Metrics) List(ctx context.Context, lo store.ListOptions) (*store.Page, error) {
	m.ls.Add(1)
	return m.next.List(ctx, lo)
}

// Flush adds the local deltas to the published totals and resets them.
func (m *Metrics) Flush(ctx context.Context) error {
	deltas := map[string]int64{
		"get":    m.gets.Swap(0),
		"put":    m.puts.Swap(0),
		"delete": m.dels.Swap(0),
		"list":   m.ls.Swap(0),
	}
	for op, d := range deltas {
		if d == 0 {
			continue
		}
		key := "metrics:hits:" + op
		var total int64
		raw, err := m.next.Get(ctx, key)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return err
		default:
			total, _ = strconv.ParseInt(string(raw), 10, 64)
		}
		if err := m.next.Put(ctx, key, []byte(strconv.FormatInt(total+d, 10))); err != nil { // EXPECT kvcounter|kvrace
			return err
		}
	}
	return nil
}
