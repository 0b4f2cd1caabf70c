// Package quota meters invocations against each tenant's plan.
package quota

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"sync"
	"time"

	"github.com/frogmouth-dev/frogmouth/internal/kvstore"
)

// Plan is the commercial allowance of a tenant, written by billing.
type Plan struct {
	Name             string `json:"name"`
	DailyInvocations int64  `json:"daily_invocations"`
	MaxDurationMS    int    `json:"max_duration_ms"`
}

var freePlan = Plan{Name: "free", DailyInvocations: 10_000, MaxDurationMS: 50}

// Meter charges invocations. Daily usage is split over shards so that a busy
// tenant does not hammer a single key.
type Meter struct {
	store  *kvstore.Store
	shards int

	mu      sync.Mutex
	pending map[string]int64
	totals  map[string]int64
}

// NewMeter returns a meter over the quota namespace.
func NewMeter(store *kvstore.Store, shards int) *Meter {
	return &Meter{
		store:   store,
		shards:  max(shards, 1),
		pending: make(map[string]int64),
		totals:  make(map[string]int64),
	}
}

// Plan returns the tenant's plan, falling back to the free plan.
func (m *Meter) Plan(ctx context.Context, tenant string) (Plan, error) {
	raw, err := m.store.Get(ctx, "plan:"+tenant)
	if errors.Is(err, kvstore.ErrNotFound) {
		return freePlan, nil
	}
	if err != nil {
		return Plan{}, err
	}
	var p Plan
	if err := json.Unmarshal(raw, &p); err != nil {
		return Plan{}, fmt.Errorf("plan %s: %w", tenant, err)
	}
	return p, nil
}

// endOfDay is midnight UTC following t.
func endOfDay(t time.Time) time.Time {
	y, mo, d := t.UTC().Date()
	return time.Date(y, mo, d+1, 0, 0, 0, 0, time.UTC)
}

// Charge counts one invocation for tenant and reports whether the tenant is
// still inside its daily allowance.
func (m *Meter) Charge(ctx context.Context, tenant, invocationID string) (bool, error) {
	plan, err := m.Plan(ctx, tenant)
	if err != nil {
		return false, err
	}
	now := time.Now()
	key := fmt.Sprintf("quota:%s:%s:%02d", tenant, now.UTC().Format("20060102"),
		kvstore.Shard(invocationID, m.shards))

	var used int64
	switch raw, err := m.store.Get(ctx, key); {
	case errors.Is(err, kvstore.ErrNotFound):
	case err != nil:
		return false, err
	default:
		if used, err = strconv.ParseInt(string(raw), 10, 64); err != nil {
			return false, fmt.Errorf("quota %s: %w", key, err)
		}
	}
	used++
	err = m.store.Put(ctx, key, // EXPECT kvcounter|kvrace
		[]byte(strconv.FormatInt(used, 10)),
		time.Until(endOfDay(now)), // EXPECT kvttl
	)
	if err != nil {
		return false, err
	}
	m.Record(tenant, 1)
	return used*int64(m.shards) <= plan.DailyInvocations, nil
}

// Record adds n invocations to the tenant's running total. Totals are written
// out by Flush.
func (m *Meter) Record(tenant string, n int64) {
	m.mu.Lock()
	m.pending[tenant] += n
	m.mu.Unlock()
}

// Flush writes the running totals that billing reads at the end of the month.
func (m *Meter) Flush(ctx context.Context) error {
	m.mu.Lock()
	batch := maps.Clone(m.pending)
	clear(m.pending)
	m.mu.Unlock()

	var errs []error
	for tenant, n := range batch {
		m.mu.Lock()
		m.totals[tenant] += n
		total := m.totals[tenant]
		m.mu.Unlock()
		key := "usage:" + tenant + ":invocations:" + time.Now().UTC().Format("200601")
		if err := m.store.Put(ctx, key, []byte(strconv.FormatInt(total, 10)), 40*24*time.Hour); err != nil { // EXPECT kvcounter
			errs = append(errs, err)
			m.Record(tenant, n)
		}
	}
	return errors.Join(errs...)
}

// SetPlan stores a tenant's plan. Billing calls this when a subscription
// changes.
func (m *Meter) SetPlan(ctx context.Context, tenant string, p Plan) error {
	buf, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return m.store.Put(ctx, "plan:"+tenant, buf, 0)
}
