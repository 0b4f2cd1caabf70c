package telemetry

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"example.com/cobalt/internal/storage"
)

// Record is one value queued for writing.
type Record struct {
	Key    string
	Value  []byte
	TTL    time.Duration
	Device string
}

// ErrClosed is returned by Add after the writer stopped.
var ErrClosed = errors.New("telemetry: batch writer closed")

const checkpointKey = "ingest:checkpoint"

// BatchWriter buffers records and writes them when the buffer is full or the
// flush interval passes, whichever comes first.
type BatchWriter struct {
	save    func(ctx context.Context, key string, value []byte, opts storage.PutOptions) error
	onFlush func(ctx context.Context, batch []Record)
	size    int
	every   time.Duration
	in      chan Record
	done    chan struct{}
	log     *slog.Logger
}

// NewBatchWriter returns a writer that saves through p.
func NewBatchWriter(p storage.Putter, size int, every time.Duration, log *slog.Logger) *BatchWriter {
	return &BatchWriter{
		save:  p.Put,
		size:  size,
		every: every,
		in:    make(chan Record, size*4),
		done:  make(chan struct{}),
		log:   log,
	}
}

// OnFlush registers a hook called after each flush with the flushed records.
func (w *BatchWriter) OnFlush(fn func(ctx context.Context, batch []Record)) { w.onFlush = fn }

// Add queues a record. It blocks while the queue is full.
func (w *BatchWriter) Add(ctx context.Context, r Record) error {
	select {
	case w.in <- r:
		return nil
	case <-w.done:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Run flushes until ctx ends, then flushes what is left.
func (w *BatchWriter) Run(ctx context.Context) {
	defer close(w.done)
	t := time.NewTicker(w.every)
	defer t.Stop()
	buf := make([]Record, 0, w.size)
	for {
		select {
		case r := <-w.in:
			buf = append(buf, r)
			if len(buf) >= w.size {
				w.flush(ctx, buf)
				buf = buf[:0]
			}
		case <-t.C:
			if len(buf) > 0 {
				w.flush(ctx, buf)
				buf = buf[:0]
			}
		case <-ctx.Done():
			if len(buf) > 0 {
				w.flush(context.Background(), buf)
			}
			return
		}
	}
}

func (w *BatchWriter) flush(ctx context.Context, batch []Record) {
	written := batch[:0:0]
	for _, r := range batch {
		if err := w.save(ctx, r.Key, r.Value, storage.PutOptions{TTL: r.TTL}); err != nil {
			w.log.WarnContext(ctx, "telemetry write failed", "key", r.Key, "err", err)
			continue
		}
		written = append(written, r)
		if err := w.save(ctx, checkpointKey, []byte(r.Key), storage.PutOptions{}); err != nil { // EXPECT kvhotkey
			w.log.WarnContext(ctx, "checkpoint failed", "err", err)
		}
	}
	if w.onFlush != nil && len(written) > 0 {
		w.onFlush(ctx, written)
	}
}
