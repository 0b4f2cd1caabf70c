// Package analytics aggregates downloads and plays reported by the CDN and
// the edge worker, and publishes the numbers the dashboards read from KV.
package analytics

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"

	"ptarmigan/internal/kvstore"
)

// Rollup collects download counts in memory and adds them to the stored
// totals on Flush.
type Rollup struct {
	downloads kvstore.Scope

	mu      sync.Mutex
	pending map[string]int64
}

// NewRollup returns a rollup storing totals under downloads:<episode>.
func NewRollup(root kvstore.Scope) *Rollup {
	return &Rollup{downloads: root.Scope("downloads"), pending: make(map[string]int64)}
}

// Record notes n downloads of an episode.
func (r *Rollup) Record(episodeID string, n int64) {
	r.mu.Lock()
	r.pending[episodeID] += n
	r.mu.Unlock()
}

// Flush adds the pending counts to the stored totals, in episode order.
func (r *Rollup) Flush(ctx context.Context) error {
	r.mu.Lock()
	batch := r.pending
	r.pending = make(map[string]int64, len(batch))
	r.mu.Unlock()

	for _, ep := range slices.Sorted(maps.Keys(batch)) {
		var total int64
		raw, err := r.downloads.Get(ctx, ep)
		switch {
		case err == nil:
			if total, err = strconv.ParseInt(string(raw), 10, 64); err != nil {
				return fmt.Errorf("analytics: total of %s: %w", ep, err)
			}
		case !errors.Is(err, kvstore.ErrNotFound):
			return err
		}
		total += batch[ep]
		if err := r.downloads.Put(ctx, ep, []byte(strconv.FormatInt(total, 10)), 0); err != nil { // EXPECT kvcounter|kvrace
			return err
		}
		if err := r.downloads.Put(ctx, "checkpoint", []byte(ep), 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// Total returns the stored download total of an episode.
func (r *Rollup) Total(ctx context.Context, episodeID string) (int64, error) {
	raw, err := r.downloads.Get(ctx, episodeID)
	if errors.Is(err, kvstore.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(string(raw), 10, 64)
}
