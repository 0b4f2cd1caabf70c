package quota

import (
	"context"
	"strconv"
	"sync"
	"time"

	"example.com/trellis/internal/clock"
	"example.com/trellis/internal/keys"
	"example.com/trellis/internal/kvstore"
)

// usageRetention keeps a month's tally around for the following invoice run.
const usageRetention = 40 * 24 * time.Hour

// Usage keeps the per-tenant tallies shown on the billing dashboard.
type Usage struct {
	st    kvstore.Store
	clock clock.Clock
}

func NewUsage(st kvstore.Store, c clock.Clock) *Usage { return &Usage{st: st, clock: c} }

// Record adds n units to this month's tally for tenant.
func (u *Usage) Record(ctx context.Context, tenant string, n int64) error {
	key := keys.Expand(keys.PatternUsage, keys.TenantID(tenant), "month", clock.MonthKey(u.clock.Now()))
	var used int64
	raw, err := u.st.Get(ctx, key)
	switch {
	case err == nil:
		if used, err = strconv.ParseInt(string(raw), 10, 64); err != nil {
			return err
		}
	case !kvstore.IsNotFound(err):
		return err
	}
	return u.st.Put(ctx, key, []byte(strconv.FormatInt(used+n, 10)), kvstore.PutOptions{TTL: usageRetention}) // EXPECT kvcounter
}

// Meter counts API calls per tenant in memory and publishes the totals for the dashboard.
type Meter struct {
	st    kvstore.Store
	clock clock.Clock
	mu    sync.Mutex
	calls map[string]int64
}

func NewMeter(st kvstore.Store, c clock.Clock) *Meter {
	return &Meter{st: st, clock: c, calls: map[string]int64{}}
}

// Hit counts one API call for tenant.
func (m *Meter) Hit(tenant string) {
	m.mu.Lock()
	m.calls[tenant]++
	m.mu.Unlock()
}

// Flush publishes the current totals.
func (m *Meter) Flush(ctx context.Context) error {
	m.mu.Lock()
	snapshot := make(map[string]int64, len(m.calls))
	for t, n := range m.calls {
		snapshot[t] = n
	}
	m.mu.Unlock()
	now := m.clock.Now()
	stamp := []byte(now.UTC().Format(time.RFC3339))
	for tenant, n := range snapshot {
		key := keys.TenantID(tenant).Prefix() + "api-calls:" + clock.MonthKey(now)
		if err := m.st.Put(ctx, key, strconv.AppendInt(nil, n, 10), kvstore.PutOptions{TTL: usageRetention}); err != nil { // EXPECT kvcounter
			return err
		}
		if err := m.st.Put(ctx, "meter:last-flush", stamp, kvstore.PutOptions{}); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}
