// Package quota enforces per-customer plan limits and meters API usage.
package quota

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"example.com/caravan/internal/ledger"
	"example.com/caravan/internal/storage"
)

// Free is the plan of tenants without a subscription row.
var Free = ledger.PlanRow{Name: "free", MonthlyShipments: 50, DailyAPICalls: 2_000}

// Plans reads plans from the ledger through a KV cache.
type Plans struct {
	Cache storage.Store
	DB    *ledger.DB
	TTL   time.Duration
}

func planKey(tenant string) string { return "plan:" + tenant }

// Plan returns the plan of tenant.
func (p *Plans) Plan(ctx context.Context, tenant string) (ledger.PlanRow, error) {
	raw, err := p.Cache.Get(ctx, planKey(tenant))
	if err == nil {
		var row ledger.PlanRow
		if err := json.Unmarshal(raw, &row); err == nil {
			return row, nil
		}
	} else if !storage.IsNotFound(err) {
		return ledger.PlanRow{}, err
	}

	row, err := p.DB.Plan(ctx, tenant)
	if errors.Is(err, ledger.ErrNoRows) {
		row = Free
		row.Tenant = tenant
	} else if err != nil {
		return ledger.PlanRow{}, err
	}
	if b, err := json.Marshal(row); err == nil {
		_ = p.Cache.Put(ctx, planKey(tenant), b, p.TTL)
	}
	return row, nil
}

// MonthlyShipments implements dispatch.PlanLookup.
func (p *Plans) MonthlyShipments(ctx context.Context, tenant string) (int64, error) {
	row, err := p.Plan(ctx, tenant)
	if err != nil {
		return 0, err
	}
	return row.MonthlyShipments, nil
}
