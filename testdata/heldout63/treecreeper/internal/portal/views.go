package portal

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/ledgerline/treecreeper/internal/kvedge"
	"github.com/ledgerline/treecreeper/internal/telemetry"
)

// ViewTracker counts portal page views per tenant in memory and publishes
// the running total so the dashboard tile can show it without a query.
type ViewTracker struct {
	mu      sync.Mutex
	pending map[string]int
	totals  map[string]int
	ns      *kvedge.Namespace
}

// NewViewTracker returns a tracker that publishes to ns.
func NewViewTracker(ns *kvedge.Namespace) *ViewTracker {
	return &ViewTracker{pending: map[string]int{}, totals: map[string]int{}, ns: ns}
}

// Seen records one view.
func (v *ViewTracker) Seen(tenant string) {
	telemetry.PortalViews.WithLabelValues(tenant).Inc()
	v.mu.Lock()
	v.pending[tenant]++
	v.mu.Unlock()
}

// Flush publishes the totals of tenants that had views since the last flush.
func (v *ViewTracker) Flush(ctx context.Context) {
	v.mu.Lock()
	batch := v.pending
	v.pending = map[string]int{}
	for tenant, n := range batch {
		v.totals[tenant] += n
		batch[tenant] = v.totals[tenant]
	}
	v.mu.Unlock()

	for tenant, total := range batch {
		key := "portal-views:" + tenant
		if err := v.ns.Put(ctx, key, []byte(strconv.Itoa(total)), 0); err != nil { // EXPECT kvcounter
			slog.WarnContext(ctx, "publish views", "tenant", tenant, "err", err)
		}
	}
}

// Run flushes every interval until ctx ends, then flushes once more.
func (v *ViewTracker) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			flushCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			v.Flush(flushCtx)
			cancel()
			return
		case <-t.C:
			v.Flush(ctx)
		}
	}
}
