package kvstore

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"github.com/lanternforge/waxwing/internal/retry"
)

// WriteBehind buffers writes in memory and sends them in one bulk request a
// fixed delay after the first buffered write, or when Flush is called. Writes
// to the same key inside one window collapse into the last one.
type WriteBehind struct {
	kv    *Logged
	delay time.Duration
	log   *slog.Logger

	mu    sync.Mutex
	buf   map[string]kv.NamespaceBulkUpdateParamsBody
	timer *time.Timer
}

func NewWriteBehind(l *Logged, delay time.Duration, log *slog.Logger) *WriteBehind {
	return &WriteBehind{kv: l, delay: delay, log: log, buf: map[string]kv.NamespaceBulkUpdateParamsBody{}}
}

// Set buffers value for key.
func (w *WriteBehind) Set(key string, value []byte, ttl time.Duration) {
	e := kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F(key), Value: cloudflare.F(string(value))}
	if ttl > 0 {
		e.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf[key] = e
	if w.timer == nil {
		w.timer = time.AfterFunc(w.delay, func() {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			if err := w.Flush(ctx); err != nil {
				w.log.Warn("write-behind flush failed", slog.Any("err", err))
			}
		})
	}
}

// Flush sends everything buffered so far.
func (w *WriteBehind) Flush(ctx context.Context) error {
	w.mu.Lock()
	batch := w.buf
	w.buf = map[string]kv.NamespaceBulkUpdateParamsBody{}
	if w.timer != nil {
		w.timer.Stop()
		w.timer = nil
	}
	w.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	entries := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(batch))
	for _, e := range batch {
		entries = append(entries, e)
	}
	return retry.Do(ctx, retry.Default, func(ctx context.Context) error {
		return w.kv.PutMany(ctx, entries)
	})
}
