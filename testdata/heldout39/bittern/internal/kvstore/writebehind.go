package kvstore

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Buffer collects writes in memory and sends them to KV when flushed. A
// later Set of a key replaces the pending value, so each key is written at
// most once per flush.
type Buffer struct {
	dst   Writer
	ttl   time.Duration
	onErr func(error)

	mu      sync.Mutex
	pending map[string][]byte
}

// NewBuffer returns a buffer writing to dst with the given lifetime.
func NewBuffer(dst Writer, ttl time.Duration, onErr func(error)) *Buffer {
	return &Buffer{dst: dst, ttl: ttl, onErr: onErr, pending: make(map[string][]byte)}
}

// Set queues value for key.
func (b *Buffer) Set(key string, value []byte) {
	b.mu.Lock()
	b.pending[key] = value
	b.mu.Unlock()
}

// Run flushes the buffer every interval until ctx is done, then flushes
// once more.
func (b *Buffer) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			flushCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			if err := b.Flush(flushCtx); err != nil && b.onErr != nil {
				b.onErr(err)
			}
			cancel()
			return
		case <-t.C:
			if err := b.Flush(ctx); err != nil && b.onErr != nil {
				b.onErr(err)
			}
		}
	}
}

// Flush writes everything queued so far.
func (b *Buffer) Flush(ctx context.Context) error {
	b.mu.Lock()
	batch := b.pending
	b.pending = make(map[string][]byte, len(batch))
	b.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}

	items := make([]Item, 0, len(batch))
	for k, v := range batch {
		items = append(items, Item{Key: k, Value: v})
	}
	if bw, ok := b.dst.(BulkWriter); ok {
		return bw.PutAll(ctx, b.ttl, items...)
	}
	var errs []error
	for _, it := range items {
		if err := b.dst.Put(ctx, it.Key, it.Value, b.ttl); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
