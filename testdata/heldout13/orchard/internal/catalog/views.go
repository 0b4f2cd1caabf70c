package catalog

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"example.com/orchard/internal/store"
)

// Views tallies listing page views in the isolate and writes them out in
// batches, so a popular listing costs one write per flush, not per view.
type Views struct {
	st store.Store

	mu     sync.Mutex
	counts map[string]*atomic.Int64
	since  atomic.Int64
}

// NewViews returns an empty tally.
func NewViews(st store.Store) *Views {
	return &Views{st: st, counts: map[string]*atomic.Int64{}}
}

// Record counts one view of a listing.
func (v *Views) Record(id string) {
	v.mu.Lock()
	c, ok := v.counts[id]
	if !ok {
		c = new(atomic.Int64)
		v.counts[id] = c
	}
	v.mu.Unlock()
	c.Add(1)
	v.since.Add(1)
}

// Pending is the number of views recorded since the last flush.
func (v *Views) Pending() int64 { return v.since.Load() }

// Flush writes the isolate's running totals.
func (v *Views) Flush(ctx context.Context) error {
	v.mu.Lock()
	snap := make(map[string]int64, len(v.counts))
	for id, c := range v.counts {
		snap[id] = c.Load()
	}
	v.mu.Unlock()
	v.since.Store(0)

	var errs []error
	for id, n := range snap {
		err := v.st.Put(ctx, "views:listing:"+id, strconv.FormatInt(n, 10), store.WithTTL(48*time.Hour)) // EXPECT kvcounter
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
