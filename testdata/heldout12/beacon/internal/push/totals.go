package push

import (
	"context"
	"errors"
	"strconv"
	"sync"

	"example.com/beacon/internal/consts"
	"example.com/beacon/internal/kvstore"
)

// Totals counts sends per tenant in memory; Flush persists the running
// totals so the console can show them.
type Totals struct {
	Store kvstore.Writer

	mu   sync.Mutex
	sent map[string]int64
}

// Add records n sends for tenant.
func (t *Totals) Add(tenant string, n int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.sent == nil {
		t.sent = map[string]int64{}
	}
	t.sent[tenant] += n
}

// Flush writes every tenant's running total.
func (t *Totals) Flush(ctx context.Context) error {
	t.mu.Lock()
	snapshot := make(map[string]int64, len(t.sent))
	for tenant, n := range t.sent {
		snapshot[tenant] = n
	}
	t.mu.Unlock()

	var errs []error
	for tenant, n := range snapshot {
		key := consts.PrefixMetrics.Key("sent_count", tenant)
		if err := t.Store.Put(ctx, key, []byte(strconv.FormatInt(n, 10)), kvstore.PutOptions{}); err != nil { // EXPECT kvcounter
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
