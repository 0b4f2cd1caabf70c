package kvstore

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	cf "github.com/cloudflare/cloudflare-go"
)

// WriteBehind buffers writes in memory and flushes them to KV in bulk on a
// fixed interval. Several writes to one key between two flushes collapse
// into one, so a hot key is written at most once per interval.
type WriteBehind struct {
	ns       *Namespace
	interval time.Duration
	ttl      time.Duration
	log      *slog.Logger

	mu      sync.Mutex
	pending map[string][]byte
}

// NewWriteBehind creates a buffer that flushes to ns every interval; ttl is
// applied to every flushed pair (zero means no expiration).
func NewWriteBehind(ns *Namespace, interval, ttl time.Duration, log *slog.Logger) *WriteBehind {
	if interval < time.Second {
		interval = time.Second
	}
	return &WriteBehind{ns: ns, interval: interval, ttl: ttl, log: log, pending: make(map[string][]byte)}
}

// Set queues value for key, replacing any value queued earlier.
func (w *WriteBehind) Set(key string, value any) error {
	body, err := encode(value)
	if err != nil {
		return fmt.Errorf("write-behind %q: %w", key, err)
	}
	w.mu.Lock()
	w.pending[key] = body
	w.mu.Unlock()
	return nil
}

// Run flushes on every tick until ctx is done, then flushes once more with a
// fresh deadline so that shutdown does not lose queued writes.
func (w *WriteBehind) Run(ctx context.Context) error {
	t := time.NewTicker(w.interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			if err := w.Flush(ctx); err != nil {
				w.log.Warn("write-behind flush failed", "err", err)
			}
		case <-ctx.Done():
			final, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			err := w.Flush(final)
			cancel()
			return err
		}
	}
}

// Flush writes everything queued so far. On failure the batch is queued
// again unless a newer value for the same key arrived meanwhile.
func (w *WriteBehind) Flush(ctx context.Context) error {
	w.mu.Lock()
	batch := w.pending
	w.pending = make(map[string][]byte, len(batch))
	w.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	pairs := make([]*cf.WorkersKVPair, 0, len(batch))
	for k, v := range batch {
		p := pairFor(k, v)
		if w.ttl > 0 {
			p.ExpirationTTL = int(w.ttl.Seconds())
		}
		pairs = append(pairs, p)
	}
	if err := w.ns.WriteBatch(ctx, pairs); err != nil {
		w.mu.Lock()
		for k, v := range batch {
			if _, newer := w.pending[k]; !newer {
				w.pending[k] = v
			}
		}
		w.mu.Unlock()
		return err
	}
	return nil
}
