// Package quota holds each tenant's plan and enforces its limits.
package quota

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"example.com/trellis/internal/clock"
	"example.com/trellis/internal/codec"
	"example.com/trellis/internal/keys"
	"example.com/trellis/internal/kvstore"
	"example.com/trellis/internal/sqlstore"
	"example.com/trellis/internal/uow"
)

// Plan is a tenant's subscription.
type Plan struct {
	Name              string       `json:"name"`
	MonthlyOrders     int64        `json:"monthly_orders"`
	APICallsPerMinute int          `json:"api_calls_per_minute"`
	History           []PlanChange `json:"history,omitempty"`
}

// PlanChange records a plan upgrade or downgrade.
type PlanChange struct {
	From, To string
	At       time.Time
	By       string
}

// Catalog lists the plans on sale.
var Catalog = map[string]Plan{
	"seedling": {Name: "seedling", MonthlyOrders: 200, APICallsPerMinute: 60},
	"sapling":  {Name: "sapling", MonthlyOrders: 2_000, APICallsPerMinute: 300},
	"orchard":  {Name: "orchard", MonthlyOrders: 50_000, APICallsPerMinute: 1_200},
}

var (
	ErrQuotaExceeded = errors.New("quota: plan limit reached")
	ErrUnknownPlan   = errors.New("quota: unknown plan")
)

func planKey(tenant string) string { return keys.Expand(keys.PatternPlan, keys.TenantID(tenant)) }

// Plans stores tenant plans.
type Plans struct {
	st     kvstore.Store
	bucket *codec.Bucket[Plan]
	clock  clock.Clock
}

func NewPlans(st kvstore.Store, c clock.Clock) *Plans {
	return &Plans{st: st, bucket: codec.NewBucket(st, "", codec.JSON[Plan]{}), clock: c}
}

// Assign sets a new tenant's initial plan.
func (p *Plans) Assign(ctx context.Context, tenant, name string) error {
	plan, ok := Catalog[name]
	if !ok {
		return fmt.Errorf("%w: %s", ErrUnknownPlan, name)
	}
	return p.bucket.Put(ctx, planKey(tenant), plan, 0)
}

// ChangePlan moves a tenant to another plan and records the change.
func (p *Plans) ChangePlan(ctx context.Context, tenant, to, by string) error {
	next, ok := Catalog[to]
	if !ok {
		return fmt.Errorf("%w: %s", ErrUnknownPlan, to)
	}
	u := uow.New(p.st)
	raw, err := u.Get(ctx, planKey(tenant))
	if err != nil {
		return err
	}
	var cur Plan
	if err := json.Unmarshal(raw, &cur); err != nil {
		return err
	}
	now := p.clock.Now()
	next.History = append(cur.History, PlanChange{From: cur.Name, To: to, At: now, By: by})
	body, _ := json.Marshal(next)
	u.Put(planKey(tenant), body, kvstore.PutOptions{}) // EXPECT kvrace
	notice, _ := json.Marshal(map[string]string{"tenant": tenant, "plan": to})
	u.Put(keys.TenantID(tenant).Prefix()+"notice:plan-change:"+now.Format("20060102T150405"), notice,
		kvstore.PutOptions{TTL: 14 * 24 * time.Hour})
	return u.Commit(ctx)
}

// Gate enforces the monthly order limit using the counters in D1.
type Gate struct {
	plans   *Plans
	counter sqlstore.Counters
	clock   clock.Clock
}

func NewGate(plans *Plans, counter sqlstore.Counters, c clock.Clock) *Gate {
	return &Gate{plans: plans, counter: counter, clock: c}
}

// Allow reserves n orders against the tenant's monthly allowance.
func (g *Gate) Allow(ctx context.Context, tenant string, n int64) error {
	plan, _, err := g.plans.bucket.Get(ctx, planKey(tenant)) // EXPECT kvnull
	if err != nil {
		return err
	}
	name := "orders-month:" + tenant + ":" + clock.MonthKey(g.clock.Now())
	total, err := g.counter.Add(ctx, name, n)
	if err != nil {
		return err
	}
	if total > plan.MonthlyOrders {
		_, _ = g.counter.Add(ctx, name, -n)
		return fmt.Errorf("%w: %d of %d orders this month", ErrQuotaExceeded, total-n, plan.MonthlyOrders)
	}
	return nil
}
