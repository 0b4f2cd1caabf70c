package metering

import (
	"context"
	"encoding/json"
	"fmt"
)

// Plan is a billing plan as shown on the pricing page.
type Plan struct {
	ID              string   `json:"id"`
	Name            string   `json:"name"`
	MonthlyRequests int64    `json:"monthly_requests"`
	PricePerMillion float64  `json:"price_per_million"`
	Features        []string `json:"features"`
}

const planCatalogQuery = `SELECT p.id, p.name, p.monthly_requests, p.price_per_million,
       coalesce(array_agg(f.feature_key ORDER BY f.position) FILTER (WHERE f.feature_key IS NOT NULL), '{}') AS features
  FROM billing.plans AS p
  LEFT JOIN billing.plan_features AS f ON f.plan_id = p.id AND f.enabled AND f.visible_on_pricing_page
  LEFT JOIN billing.plan_regions AS r ON r.plan_id = p.id AND r.region = current_setting('petrel.region', true)
 WHERE p.archived_at IS NULL
   AND p.public
   AND (r.plan_id IS NOT NULL OR NOT EXISTS (SELECT 1 FROM billing.plan_regions AS r2 WHERE r2.plan_id = p.id))
 GROUP BY p.id, p.name, p.monthly_requests, p.price_per_million, p.sort_order
 ORDER BY p.sort_order, p.monthly_requests`

// PlanCatalog returns the public plans, cached in front of the database.
func (m *Meter) PlanCatalog(ctx context.Context) ([]Plan, error) {
	raw, err := m.plans.Get(ctx, "sql:"+planCatalogQuery, func(ctx context.Context) ([]byte, error) { // EXPECT kvlimits
		return m.db.Query(ctx, planCatalogQuery)
	})
	if err != nil {
		return nil, fmt.Errorf("metering: plan catalog: %w", err)
	}
	var plans []Plan
	if err := json.Unmarshal(raw, &plans); err != nil {
		return nil, fmt.Errorf("metering: plan catalog: %w", err)
	}
	return plans, nil
}
