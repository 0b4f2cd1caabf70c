// Package authority stands in for the systems of record: a D1 database for
// plans, subscriptions and usage totals, and a Durable Object for counters
// that belong to a single owner.
package authority

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"example.com/tollgate/internal/domain"
)

// ErrNoRows mirrors sql.ErrNoRows for the stand-in.
var ErrNoRows = errors.New("authority: no rows")

// DB is the relational source of truth (D1 in production).
type DB struct {
	mu       sync.Mutex
	plans    map[domain.PlanID]domain.Plan
	usage    map[string]int64
	invoices int64
	charges  map[string]int64
	windows  []MaintenanceWindow
}

// MaintenanceWindow is a scheduled read-only period.
type MaintenanceWindow struct {
	Start, End time.Time
	Reason     string
}

// NewDB returns a database seeded with plans.
func NewDB(plans ...domain.Plan) *DB {
	db := &DB{plans: map[domain.PlanID]domain.Plan{}, usage: map[string]int64{}, charges: map[string]int64{}}
	for _, p := range plans {
		db.plans[p.ID] = p
	}
	return db
}

// Plans returns every plan ordered by price (SELECT ... ORDER BY price_cents).
func (db *DB) Plans(ctx context.Context) ([]domain.Plan, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	out := make([]domain.Plan, 0, len(db.plans))
	for _, p := range db.plans {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b domain.Plan) int { return int(a.PriceCents - b.PriceCents) })
	return out, nil
}

// Plan returns one plan.
func (db *DB) Plan(ctx context.Context, id domain.PlanID) (domain.Plan, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	p, ok := db.plans[id]
	if !ok {
		return domain.Plan{}, ErrNoRows
	}
	return p, ctx.Err()
}

// AddUsage increments the usage total
// (UPDATE usage SET calls = calls + ? WHERE tenant = ? AND period = ?) and
// returns the new total.
func (db *DB) AddUsage(ctx context.Context, tenant domain.TenantID, period string, calls int64) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	k := string(tenant) + "/" + period
	db.usage[k] += calls
	return db.usage[k], nil
}

// Usage returns the usage total.
func (db *DB) Usage(ctx context.Context, tenant domain.TenantID, period string) (int64, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.usage[string(tenant)+"/"+period], ctx.Err()
}

// IssueInvoice allocates the next invoice number inside the database.
func (db *DB) IssueInvoice(ctx context.Context, tenant domain.TenantID, period string) (string, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	db.invoices++
	return fmt.Sprintf("INV-%s-%s-%06d", period, tenant, db.invoices), ctx.Err()
}

// Charge records a proration charge and returns its id.
func (db *DB) Charge(ctx context.Context, tenant domain.TenantID, cents int64) (string, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	id := "ch_" + domain.NewToken(6)
	db.charges[id] = cents
	return id, ctx.Err()
}

// Refund reverses a charge.
func (db *DB) Refund(ctx context.Context, chargeID string) error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if _, ok := db.charges[chargeID]; !ok {
		return ErrNoRows
	}
	delete(db.charges, chargeID)
	return ctx.Err()
}

// ActiveWindow returns the window covering now, if any.
func (db *DB) ActiveWindow(ctx context.Context, now time.Time) (MaintenanceWindow, bool, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	for _, w := range db.windows {
		if !now.Before(w.Start) && now.Before(w.End) {
			return w, true, ctx.Err()
		}
	}
	return MaintenanceWindow{}, false, ctx.Err()
}

// Counter is a Durable Object stand-in holding named, windowed counters.
type Counter struct {
	mu     sync.Mutex
	counts map[string]counterState
}

type counterState struct {
	n       int64
	resetAt time.Time
}

// NewCounter returns an empty counter object.
func NewCounter() *Counter { return &Counter{counts: map[string]counterState{}} }

// Add increments name by delta inside window and returns the new value and
// the time the window resets.
func (c *Counter) Add(ctx context.Context, name string, delta int64, window time.Duration) (int64, time.Time, error) {
	if err := ctx.Err(); err != nil {
		return 0, time.Time{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	st := c.counts[name]
	if now.After(st.resetAt) {
		st = counterState{resetAt: now.Add(window)}
	}
	st.n += delta
	c.counts[name] = st
	return st.n, st.resetAt, nil
}
