// Package inventory tracks clay, glaze and tool stock for each studio shop.
package inventory

import (
	"context"
	"log"
	"sync"
	"time"

	"example.com/kiln/internal/kvstore"
	"example.com/kiln/internal/repo"
)

// BufferConfig tunes the write-behind buffer. The buffer keeps a pointer to
// it, so operators can adjust it on a running process.
type BufferConfig struct {
	Flush      time.Duration
	TTL        time.Duration
	MaxPending int
}

// FlushEvery sets the flush interval.
func FlushEvery(d time.Duration) repo.Option[BufferConfig] {
	return func(c *BufferConfig) { c.Flush = d }
}

// KeepFor sets the lifetime of buffered entries.
func KeepFor(d time.Duration) repo.Option[BufferConfig] {
	return func(c *BufferConfig) { c.TTL = d }
}

type writeReq struct {
	key   string
	value []byte
	done  chan error
}

// WriteBehind batches writes in memory and lets a single goroutine flush
// them. Several writes to one key within an interval collapse into one.
type WriteBehind struct {
	bucket *kvstore.Bucket
	cfg    *BufferConfig
	in     chan writeReq
	log    *log.Logger
	wg     sync.WaitGroup
}

// NewWriteBehind returns a buffer; call Run to start flushing.
func NewWriteBehind(b *kvstore.Bucket, l *log.Logger, opts ...repo.Option[BufferConfig]) *WriteBehind {
	cfg := repo.Apply(&BufferConfig{Flush: 5 * time.Second, TTL: 0, MaxPending: 500}, opts...)
	return &WriteBehind{bucket: b, cfg: cfg, in: make(chan writeReq, 256), log: l}
}

// Config returns the live configuration.
func (w *WriteBehind) Config() *BufferConfig { return w.cfg }

// Submit queues a write. It returns once the write is buffered.
func (w *WriteBehind) Submit(key string, value []byte) {
	w.in <- writeReq{key: key, value: value}
}

// SubmitWait queues a write and waits until it has been flushed.
func (w *WriteBehind) SubmitWait(ctx context.Context, key string, value []byte) error {
	done := make(chan error, 1)
	select {
	case w.in <- writeReq{key: key, value: value, done: done}:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Run flushes until ctx is cancelled, then flushes once more.
func (w *WriteBehind) Run(ctx context.Context) {
	w.wg.Add(1)
	defer w.wg.Done()
	pending := make(map[string]writeReq)
	var waiters []chan error
	t := time.NewTicker(w.cfg.Flush)
	defer t.Stop()
	flush := func(ctx context.Context) {
		err := w.flush(ctx, pending)
		for _, d := range waiters {
			d <- err
		}
		waiters = waiters[:0]
		clear(pending)
	}
	for {
		select {
		case req := <-w.in:
			pending[req.key] = req
			if req.done != nil {
				waiters = append(waiters, req.done)
			}
			if len(pending) >= w.cfg.MaxPending {
				flush(ctx)
			}
		case <-t.C:
			if len(pending) > 0 {
				flush(ctx)
			}
		case <-ctx.Done():
			final, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			flush(final)
			cancel()
			return
		}
	}
}

func (w *WriteBehind) flush(ctx context.Context, pending map[string]writeReq) error {
	var first error
	for key, req := range pending {
		if err := w.bucket.Put(ctx, key, req.value, w.cfg.TTL); err != nil {
			w.log.Printf("inventory: flush %s: %v", key, err)
			if first == nil {
				first = err
			}
		}
	}
	return first
}
