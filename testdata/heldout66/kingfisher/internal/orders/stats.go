package orders

import (
	"context"
	"log/slog"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/kingfisher-ops/kingfisher/internal/kvstore"
)

// DailyStats counts orders placed today in this replica and publishes the
// figure to KV for the ops dashboard Worker.
type DailyStats struct {
	store *kvstore.Store
	log   *slog.Logger
	day   atomic.Value // string, YYYY-MM-DD
	count atomic.Int64
}

// NewDailyStats returns a DailyStats starting at zero for today.
func NewDailyStats(store *kvstore.Store, log *slog.Logger) *DailyStats {
	d := &DailyStats{store: store, log: log}
	d.day.Store(time.Now().UTC().Format(time.DateOnly))
	return d
}

// Inc records one order.
func (d *DailyStats) Inc() {
	today := time.Now().UTC().Format(time.DateOnly)
	if prev := d.day.Swap(today); prev != today {
		d.count.Store(0)
	}
	d.count.Add(1)
}

// Run flushes the count every interval until ctx ends, and once more on the
// way out.
func (d *DailyStats) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			flushCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			d.flush(flushCtx)
			cancel()
			return
		case <-t.C:
			d.flush(ctx)
		}
	}
}

func (d *DailyStats) flush(ctx context.Context) {
	day := d.day.Load().(string)
	n := d.count.Load()
	if err := d.store.Put(ctx, dailyOrdersKey(day), []byte(strconv.FormatInt(n, 10)), 40*24*time.Hour); err != nil { // EXPECT kvcounter
		d.log.WarnContext(ctx, "flush daily stats", "err", err)
	}
}
