package decorate

import (
	"context"
	"errors"
	"sync/atomic"

	"example.com/gateway/internal/store"
)

// Counters is the subset of the metrics registry the decorator needs.
type Counters struct {
	Hits, Misses, Errors atomic.Int64
}

// Metrics counts read outcomes.
type Metrics struct {
	store.Store
	C *Counters
}

// Get counts hits, misses and failures.
func (m Metrics) Get(ctx context.Context, key string) ([]byte, error) {
	v, err := m.Store.Get(ctx, key)
	switch {
	case err == nil:
		m.C.Hits.Add(1)
	case errors.Is(err, store.ErrNotFound):
		m.C.Misses.Add(1)
	default:
		m.C.Errors.Add(1)
	}
	return v, err
}
