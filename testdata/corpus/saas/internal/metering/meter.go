// Package metering accumulates billable usage events and publishes
// per-tenant usage figures for the dashboard.
package metering

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/saas/internal/config"
	"example.com/saas/internal/db"
	"example.com/saas/internal/kvstore"
)

// Event is one billable action.
type Event struct {
	Tenant string
	Metric string
	Units  int
	At     time.Time
}

// Meter writes usage to KV for the dashboard and to D1 for billing.
type Meter struct {
	ns *kv.Namespace
	db *sql.DB

	mu      sync.Mutex
	pending map[string]int64
	views   map[string]int
}

// New binds the TENANTS namespace and D1.
func New() (*Meter, error) {
	ns, err := kv.NewNamespace(config.BindingTenants)
	if err != nil {
		return nil, err
	}
	d, err := db.Get()
	if err != nil {
		return nil, err
	}
	return &Meter{ns: ns, db: d, pending: map[string]int64{}, views: map[string]int{}}, nil
}

// Flush adds a batch of events to the daily meters, one goroutine per meter.
func (m *Meter) Flush(events []Event) error {
	agg := make(map[string]int)
	for _, e := range events {
		agg[kvstore.MeterKey(e.Tenant, e.Metric, kvstore.DayOf(e.At))] += e.Units
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(agg))
	for key, units := range agg {
		wg.Add(1)
		go func(key string, units int) {
			defer wg.Done()
			cur, err := m.ns.GetString(key, nil)
			if err != nil {
				errs <- err
				return
			}
			var total int64
			if !kvstore.Missing(cur) {
				total, _ = strconv.ParseInt(cur, 10, 64)
			}
			total += int64(units)
			if err := m.ns.PutString(key, strconv.FormatInt(total, 10), &kv.PutOptions{ // EXPECT kvcounter|kvrace
				ExpirationTTL: int(config.MeterRetention.Seconds()),
			}); err != nil {
				errs <- err
			}
		}(key, units)
	}
	wg.Wait()
	close(errs)
	var all []error
	for err := range errs {
		all = append(all, err)
	}
	return errors.Join(all...)
}

// Record queues units locally until the next Flush of live figures.
func (m *Meter) Record(tenant, metric string, units int) {
	m.mu.Lock()
	m.pending[tenant+"|"+metric] += int64(units)
	m.mu.Unlock()
}

// PublishLive adds this isolate's pending units to the billed total and
// shows the result on the dashboard.
func (m *Meter) PublishLive(ctx context.Context, tenant, metric string) error {
	m.mu.Lock()
	pending := m.pending[tenant+"|"+metric]
	delete(m.pending, tenant+"|"+metric)
	m.mu.Unlock()

	var billed int64
	err := m.db.QueryRowContext(ctx,
		`SELECT COALESCE(SUM(units), 0) FROM usage_events WHERE tenant_id = ? AND metric = ?`,
		tenant, metric).Scan(&billed)
	if err != nil {
		return err
	}
	live := billed + pending
	return m.ns.PutString("meter-live:"+tenant+":"+metric, strconv.FormatInt(live, 10), nil) // DEBATABLE kvcounter
}

// CountStatusView counts a visit to the tenant's public status page.
func (m *Meter) CountStatusView(tenant string) error {
	m.mu.Lock()
	m.views[tenant]++
	n := m.views[tenant]
	m.mu.Unlock()
	return m.ns.PutString("status-views:"+tenant, strconv.Itoa(n), nil) // EXPECT kvcounter
}

// PublishDaily writes the authoritative daily total computed by D1 so the
// dashboard can read it cheaply.
func (m *Meter) PublishDaily(ctx context.Context, tenant, metric string, day time.Time) error {
	var total int64
	err := m.db.QueryRowContext(ctx,
		`SELECT COALESCE(SUM(units), 0) FROM usage_events WHERE tenant_id = ? AND metric = ? AND day = ?`,
		tenant, metric, kvstore.DayOf(day)).Scan(&total)
	if err != nil {
		return err
	}
	return m.ns.PutString("usage-summary:"+tenant+":"+metric+":"+kvstore.DayOf(day),
		strconv.FormatInt(total, 10),
		&kv.PutOptions{ExpirationTTL: 35 * 86400})
}

// DailyUsage reads a day's meter for the dashboard.
func (m *Meter) DailyUsage(tenant, metric string, day time.Time) (int64, error) {
	raw, err := m.ns.GetString(kvstore.MeterKey(tenant, metric, kvstore.DayOf(day)), &kv.GetOptions{
		CacheTTL: 15, // EXPECT kvttl
	})
	if err != nil || kvstore.Missing(raw) {
		return 0, err
	}
	return strconv.ParseInt(raw, 10, 64)
}
