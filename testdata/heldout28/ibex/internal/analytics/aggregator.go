package analytics

import (
	"context"
	"fmt"
	"sync"

	"example.com/ibex/internal/codec"
	"example.com/ibex/internal/keys"
)

// tallyStore is what the aggregator needs from the KV adapter.
type tallyStore interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, val []byte) error
}

// Aggregator buffers listen events in memory and folds them into the
// stored per-episode totals in batches.
type Aggregator struct {
	st       tallyStore
	notFound func(error) bool
	workers  int

	mu      sync.Mutex
	pending map[string]uint64
}

// NewAggregator returns an Aggregator flushing with up to workers
// concurrent writes.
func NewAggregator(st tallyStore, notFound func(error) bool, workers int) *Aggregator {
	return &Aggregator{st: st, notFound: notFound, workers: max(workers, 1), pending: map[string]uint64{}}
}

// Add buffers n listens for an episode.
func (a *Aggregator) Add(episodeID string, n uint64) {
	a.mu.Lock()
	a.pending[episodeID] += n
	a.mu.Unlock()
}

// Flush writes the buffered deltas and returns per-episode errors.
func (a *Aggregator) Flush(ctx context.Context) map[string]error {
	a.mu.Lock()
	batch := a.pending
	a.pending = map[string]uint64{}
	a.mu.Unlock()

	sem := make(chan struct{}, a.workers)
	var (
		wg      sync.WaitGroup
		resMu   sync.Mutex
		results = make(map[string]error, len(batch))
	)
	for ep, delta := range batch {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			resMu.Lock()
			results[ep] = ctx.Err()
			resMu.Unlock()
			continue
		}
		wg.Add(1)
		go func(ep string, delta uint64) {
			defer wg.Done()
			defer func() { <-sem }()
			err := a.apply(ctx, ep, delta)
			resMu.Lock()
			results[ep] = err
			resMu.Unlock()
		}(ep, delta)
	}
	wg.Wait()
	return results
}

func (a *Aggregator) apply(ctx context.Context, episodeID string, delta uint64) error {
	key := keys.Join("listens", episodeID)
	var cur uint64
	raw, err := a.st.Get(ctx, key)
	switch {
	case err == nil:
		if cur, err = codec.ReadUint64(raw); err != nil {
			return fmt.Errorf("analytics: %s: %w", key, err)
		}
	case !a.notFound(err):
		return err
	}
	return a.st.Put(ctx, key, codec.Uint64(cur+delta)) // EXPECT kvcounter
}
