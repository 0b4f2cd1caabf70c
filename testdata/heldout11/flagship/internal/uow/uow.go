// Package uow collects writes during an operation and commits them together
// with the bulk API.
package uow

import (
	"context"
	"fmt"
	"time"

	"example.com/flagship/internal/storage"
)

// maxBatch is the REST bulk-write limit.
const maxBatch = 10_000

// Work is a set of pending writes.
type Work struct {
	w       storage.BulkWriter
	pending map[string]int
	items   []storage.Item
}

// New starts a unit of work over w.
func New(w storage.BulkWriter) *Work { return &Work{w: w, pending: map[string]int{}} }

// Stage records a write; a later Stage of the same key replaces it.
func (w *Work) Stage(key string, value []byte, ttl time.Duration, meta any) {
	it := storage.Item{Key: key, Value: value, TTL: ttl, Metadata: meta}
	if i, ok := w.pending[key]; ok {
		w.items[i] = it
		return
	}
	w.pending[key] = len(w.items)
	w.items = append(w.items, it)
}

// Commit sends the staged writes in batches of at most maxBatch.
func (w *Work) Commit(ctx context.Context) error {
	for start := 0; start < len(w.items); start += maxBatch {
		end := min(start+maxBatch, len(w.items))
		if err := w.w.PutMany(ctx, w.items[start:end]); err != nil {
			return fmt.Errorf("uow: batch %d-%d: %w", start, end, err)
		}
	}
	w.items, w.pending = nil, map[string]int{}
	return nil
}
