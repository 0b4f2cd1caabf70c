package edgesync

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"sync"

	"example.com/edgeconf/internal/storage"
	"example.com/edgeconf/internal/storage/kvhttp"
)

// HitFlusher aggregates per-tenant request hits reported by the edge log
// tail in memory and periodically folds them into KV, where the dashboard
// reads them.
type HitFlusher struct {
	kv  *kvhttp.Client
	log *slog.Logger

	mu      sync.Mutex
	pending map[string]int64
}

// NewHitFlusher returns an empty flusher.
func NewHitFlusher(c *kvhttp.Client, log *slog.Logger) *HitFlusher {
	return &HitFlusher{kv: c, log: log, pending: make(map[string]int64)}
}

// Add buffers n hits for key (tenant:route).
func (f *HitFlusher) Add(key string, n int64) {
	f.mu.Lock()
	f.pending[key] += n
	f.mu.Unlock()
}

func (f *HitFlusher) swap() map[string]int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	batch := f.pending
	f.pending = make(map[string]int64, len(batch))
	return batch
}

func (f *HitFlusher) requeue(key string, n int64) {
	f.mu.Lock()
	f.pending[key] += n
	f.mu.Unlock()
}

// Flush writes the buffered hits one key at a time.
func (f *HitFlusher) Flush(ctx context.Context) error {
	var errs []error
	for key, delta := range f.swap() {
		k := "hits:" + key
		var total int64
		raw, err := f.kv.Get(ctx, k)
		switch {
		case err == nil:
			total, _ = strconv.ParseInt(string(raw), 10, 64)
		case !storage.IsNotFound(err):
			f.requeue(key, delta)
			errs = append(errs, err)
			continue
		}
		if err := f.kv.Put(ctx, k, []byte(strconv.FormatInt(total+delta, 10)), kvhttp.PutOptions{}); err != nil { // EXPECT kvcounter
			f.requeue(key, delta)
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// FlushBulk is Flush for large batches: it reads every current total, then
// writes all new totals with a single bulk request.
func (f *HitFlusher) FlushBulk(ctx context.Context) error {
	batch := f.swap()
	pairs := make([]kvhttp.Pair, 0, len(batch))
	sent := make(map[string]int64, len(batch))
	for key, delta := range batch {
		cur := int64(0)
		if raw, err := f.kv.Get(ctx, "hits:"+key); err == nil {
			cur, _ = strconv.ParseInt(string(raw), 10, 64)
		} else if !storage.IsNotFound(err) {
			f.requeue(key, delta)
			continue
		}
		pairs = append(pairs, kvhttp.Pair{Key: "hits:" + key, Value: strconv.FormatInt(cur+delta, 10)})
		sent[key] = delta
	}
	if len(pairs) == 0 {
		return nil
	}
	if err := f.kv.BulkPut(ctx, pairs); err != nil { // EXPECT kvcounter
		f.log.ErrorContext(ctx, "bulk hit flush failed; requeueing", "pairs", len(pairs), "err", err)
		for key, delta := range sent {
			f.requeue(key, delta)
		}
		return err
	}
	return nil
}

// Snapshot returns what is still buffered (for /debug/vars).
func (f *HitFlusher) Snapshot() map[string]int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string]int64, len(f.pending))
	for k, v := range f.pending {
		out[k] = v
	}
	return out
}
