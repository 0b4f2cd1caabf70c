// Package ledger is the relational system of record (D1 in production); this
// in-process version keeps its atomic increments and consistent reads.
package ledger

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"sync"
	"time"
)

// ErrNoRows is returned when a lookup matches nothing.
var ErrNoRows = errors.New("ledger: no rows")

// PlanRow is a customer's subscription plan.
type PlanRow struct {
	Tenant           string `json:"tenant"`
	Name             string `json:"name"`
	MonthlyShipments int64  `json:"monthly_shipments"`
	DailyAPICalls    int64  `json:"daily_api_calls"`
}

// ShiftRow is one planned driver shift at a depot.
type ShiftRow struct {
	Depot, Driver, Vehicle string
	Start, End             time.Time
}

// DB is the ledger.
type DB struct {
	mu       sync.Mutex
	counters map[string]int64
	plans    map[string]PlanRow
	shifts   []ShiftRow
}

// Open returns a ledger holding plans and shifts.
func Open(plans []PlanRow, shifts []ShiftRow) *DB {
	db := &DB{counters: map[string]int64{}, plans: map[string]PlanRow{}, shifts: shifts}
	for _, p := range plans {
		db.plans[p.Tenant] = p
	}
	return db
}

func (db *DB) lock(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	db.mu.Lock()
	return nil
}

// Incr adds delta to a counter and returns the new value:
// UPDATE counters SET n = n + ?1 WHERE name = ?2 RETURNING n.
func (db *DB) Incr(ctx context.Context, name string, delta int64) (int64, error) {
	if err := db.lock(ctx); err != nil {
		return 0, err
	}
	defer db.mu.Unlock()
	db.counters[name] += delta
	return db.counters[name], nil
}

// Plan returns the plan of tenant.
func (db *DB) Plan(ctx context.Context, tenant string) (PlanRow, error) {
	if err := db.lock(ctx); err != nil {
		return PlanRow{}, err
	}
	defer db.mu.Unlock()
	p, ok := db.plans[tenant]
	if !ok {
		return PlanRow{}, ErrNoRows
	}
	return p, nil
}

// Shifts returns the shifts starting on day, by depot and start time.
func (db *DB) Shifts(ctx context.Context, day time.Time) ([]ShiftRow, error) {
	if err := db.lock(ctx); err != nil {
		return nil, err
	}
	defer db.mu.Unlock()
	var out []ShiftRow
	for _, s := range db.shifts {
		if !s.Start.Before(day) && s.Start.Before(day.Add(24*time.Hour)) {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b ShiftRow) int {
		return cmp.Or(cmp.Compare(a.Depot, b.Depot), a.Start.Compare(b.Start))
	})
	return out, nil
}
