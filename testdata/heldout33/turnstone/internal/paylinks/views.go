package paylinks

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/ledgerline/turnstone/internal/kvstore"
)

// viewCounter aggregates link page views in memory and adds them to the
// per-link totals in KV once per interval, which the merchant dashboard
// reads from the edge.
type viewCounter struct {
	kv       kvstore.KV
	interval time.Duration
	log      *slog.Logger

	mu     sync.Mutex
	counts map[string]int64
}

func newViewCounter(kv kvstore.KV, interval time.Duration, log *slog.Logger) *viewCounter {
	if interval <= 0 {
		interval = time.Minute
	}
	return &viewCounter{kv: kv, interval: interval, log: log, counts: make(map[string]int64)}
}

// Inc records one view of linkID.
func (v *viewCounter) Inc(linkID string) {
	v.mu.Lock()
	v.counts[linkID]++
	v.mu.Unlock()
}

// Run flushes on every tick and once more on shutdown.
func (v *viewCounter) Run(ctx context.Context) {
	t := time.NewTicker(v.interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			v.flush(ctx)
		case <-ctx.Done():
			final, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			v.flush(final)
			cancel()
			return
		}
	}
}

func (v *viewCounter) flush(ctx context.Context) {
	v.mu.Lock()
	batch := v.counts
	v.counts = make(map[string]int64, len(batch))
	v.mu.Unlock()

	for linkID, n := range batch {
		key := "views:" + linkID
		var total int64
		if err := kvstore.GetInto(ctx, v.kv, key, &total); err != nil && !kvstore.IsNotFound(err) {
			v.requeue(linkID, n)
			continue
		}
		if err := v.kv.Put(ctx, key, total+n, 0); err != nil { // EXPECT kvcounter
			v.log.Warn("flush link views", "link", linkID, "err", err)
			v.requeue(linkID, n)
		}
	}
}

func (v *viewCounter) requeue(linkID string, n int64) {
	v.mu.Lock()
	v.counts[linkID] += n
	v.mu.Unlock()
}
