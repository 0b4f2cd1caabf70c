package tiercache

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"github.com/ledgerline/nightjar/internal/kvstore"
)

// WriteBehind coalesces writes in memory and flushes them to KV every
// interval. Only the last value written to a key in an interval is stored.
// Values carry a TTL of a few intervals so that keys written by a stopped
// process age out.
type WriteBehind struct {
	kv       *kvstore.Logged
	interval time.Duration
	log      *slog.Logger

	mu      sync.Mutex
	pending map[string][]byte
	timer   *time.Timer
	stopped bool
}

// NewWriteBehind returns a buffer. Call Start to begin flushing.
func NewWriteBehind(kv *kvstore.Logged, interval time.Duration, log *slog.Logger) *WriteBehind {
	return &WriteBehind{kv: kv, interval: interval, log: log, pending: make(map[string][]byte)}
}

// Put records value for key.
func (w *WriteBehind) Put(key string, value []byte) {
	w.mu.Lock()
	w.pending[key] = value
	w.mu.Unlock()
}

// Start arms the flush timer.
func (w *WriteBehind) Start() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.timer = time.AfterFunc(w.interval, w.tick)
}

// Stop cancels the timer and flushes what is pending.
func (w *WriteBehind) Stop(ctx context.Context) error {
	w.mu.Lock()
	w.stopped = true
	if w.timer != nil {
		w.timer.Stop()
	}
	w.mu.Unlock()
	return w.Flush(ctx)
}

func (w *WriteBehind) tick() {
	ctx, cancel := context.WithTimeout(context.Background(), w.interval)
	defer cancel()
	if err := w.Flush(ctx); err != nil {
		w.log.Warn("write-behind flush failed", "err", err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.stopped {
		w.timer.Reset(w.interval)
	}
}

// Flush writes everything pending in one bulk request.
func (w *WriteBehind) Flush(ctx context.Context) error {
	w.mu.Lock()
	batch := w.pending
	w.pending = make(map[string][]byte, len(batch))
	w.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	ttl := max(3*w.interval, 10*time.Second) // EXPECT kvttl
	pairs := make([]*cloudflare.WorkersKVPair, 0, len(batch))
	for k, v := range batch {
		pairs = append(pairs, &cloudflare.WorkersKVPair{Key: k, Value: string(v), ExpirationTTL: int(ttl.Seconds())})
	}
	if err := w.kv.PutMany(ctx, pairs); err != nil {
		// Put the batch back unless newer values arrived meanwhile.
		w.mu.Lock()
		for k, v := range batch {
			if _, ok := w.pending[k]; !ok {
				w.pending[k] = v
			}
		}
		w.mu.Unlock()
		return err
	}
	w.log.Debug("write-behind flushed", "keys", len(pairs))
	return nil
}
