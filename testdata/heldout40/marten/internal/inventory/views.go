package inventory

import (
	"context"
	"log"
	"sync"
	"time"

	"marten/internal/kvstore"
)

// ViewTracker counts room-type page views of the booking engine in memory
// and flushes the running totals to KV, where the revenue dashboard reads
// them.
type ViewTracker struct {
	kv       *kvstore.Store
	property string

	mu      sync.Mutex
	pending map[string]int64
	totals  map[string]int64
}

// NewViewTracker returns a tracker; call Run to start flushing.
func NewViewTracker(s *kvstore.Store, property string) *ViewTracker {
	return &ViewTracker{kv: s, property: property, pending: map[string]int64{}, totals: map[string]int64{}}
}

// Seen records one view.
func (t *ViewTracker) Seen(roomType string) {
	t.mu.Lock()
	t.pending[roomType]++
	t.mu.Unlock()
}

// Run flushes once a minute until ctx ends.
func (t *ViewTracker) Run(ctx context.Context) {
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if err := t.flush(ctx); err != nil {
				log.Printf("inventory: flush views: %v", err)
			}
		}
	}
}

func (t *ViewTracker) flush(ctx context.Context) error {
	t.mu.Lock()
	batch := t.pending
	t.pending = map[string]int64{}
	for rt, n := range batch {
		t.totals[rt] += n
	}
	snapshot := make(map[string]int64, len(batch))
	for rt := range batch {
		snapshot[rt] = t.totals[rt]
	}
	t.mu.Unlock()

	for rt, total := range snapshot {
		key := "inv/views/" + t.property + "/" + rt
		if err := t.kv.Put(ctx, key, kvstore.Decimal(total)); err != nil { // EXPECT kvcounter
			return err
		}
	}
	return nil
}
