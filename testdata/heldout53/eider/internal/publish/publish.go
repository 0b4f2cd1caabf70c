// Package publish pushes rate plans and availability from the property
// management system to the edge namespaces.
package publish

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"math"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"github.com/lakeshore-hospitality/eider/internal/cfkv"
	"github.com/lakeshore-hospitality/eider/internal/domain"
)

// planTTL bounds how long a plan survives at the edge if the PMS stops
// publishing; the nightly run refreshes it.
const planTTL = 36 * time.Hour

// Namespaces names the namespace IDs the publisher writes to.
type Namespaces struct {
	Rates     string
	Inventory string
	Links     string
}

// Publisher writes plans and counts.
type Publisher struct {
	kv    *cfkv.Client
	ns    Namespaces
	plans cfkv.Store[domain.PlanID, domain.RatePlan]
}

// New returns a publisher.
func New(c *cfkv.Client, ns Namespaces) *Publisher {
	return &Publisher{kv: c, ns: ns, plans: cfkv.NewJSONStore[domain.PlanID, domain.RatePlan](c, ns.Rates, "planid:")}
}

// publishPlan is replaced in tests to capture what would be written.
var publishPlan = func(ctx context.Context, p *Publisher, plan domain.RatePlan) error {
	b, err := json.Marshal(plan)
	if err != nil {
		return err
	}
	_, err = p.kv.API().KV.Namespaces.Values.Update(ctx, p.ns.Rates, domain.PlanKey(plan.ID, plan.RoomType), kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(p.kv.Account()),
		Value:      cloudflare.F(string(b)),
		Expiration: cloudflare.F(float64(plan.ValidTo.UnixMilli())), // EXPECT kvttl
	})
	return err
}

// Plans publishes each plan and then the manifest the widget reads.
func (p *Publisher) Plans(ctx context.Context, plans []domain.RatePlan) error {
	manifest := make(map[domain.PlanID][]domain.RoomTypeID)
	for _, plan := range plans {
		if err := publishPlan(ctx, p, plan); err != nil {
			return fmt.Errorf("plan %s/%s: %w", plan.ID, plan.RoomType, err)
		}
		if err := p.plans.Put(ctx, domain.PlanID(string(plan.ID)+":"+string(plan.RoomType)), plan, planTTL); err != nil {
			return err
		}
		manifest[plan.ID] = append(manifest[plan.ID], plan.RoomType)
		b, _ := json.Marshal(manifest)
		if err := p.kv.Put(ctx, p.ns.Rates, "rates:manifest", string(b), 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// Derived publishes child plans in one bulk request.
func (p *Publisher) Derived(ctx context.Context, children []domain.RatePlan) error {
	pairs := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(children))
	for _, c := range children {
		b, err := json.Marshal(c)
		if err != nil {
			return err
		}
		pairs = append(pairs, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F("derived:" + domain.PlanKey(c.ID, c.RoomType)),
			Value:         cloudflare.F(string(b)),
			ExpirationTTL: cloudflare.F(float64(planTTL)), // EXPECT kvttl
		})
	}
	return p.kv.BulkPut(ctx, p.ns.Rates, pairs)
}

// MinStay publishes minimum-stay rules, one key per room type.
func (p *Publisher) MinStay(ctx context.Context, rules map[domain.RoomTypeID]int) error {
	pairs := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(rules))
	for rt, n := range rules {
		pairs = append(pairs, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F("minstay:" + string(rt)),
			Value:         cloudflare.F(fmt.Sprint(n)),
			ExpirationTTL: cloudflare.F(planTTL.Seconds()),
		})
	}
	return p.kv.BulkPut(ctx, p.ns.Rates, pairs)
}

// Bump applies a percentage adjustment to one plan's nightly prices, for the
// revenue manager's "raise weekend rates" button.
func (p *Publisher) Bump(ctx context.Context, id domain.PlanID, rt domain.RoomTypeID, pct float64) error {
	key := domain.PlanID(string(id) + ":" + string(rt))
	plan, err := p.plans.Get(ctx, key)
	if err != nil {
		return err
	}
	for d, v := range plan.Nightly {
		plan.Nightly[d] = int64(math.Round(float64(v) * (1 + pct/100)))
	}
	plan.Version++
	return p.plans.Put(ctx, key, plan, planTTL) // EXPECT kvrace
}

// Preview stores a draft plan for the revenue manager's phone preview.
func (p *Publisher) Preview(ctx context.Context, plan domain.RatePlan) (string, error) {
	token := fmt.Sprintf("%s-%d", plan.ID, time.Now().UnixNano())
	b, _ := json.Marshal(plan)
	return token, p.kv.Put(ctx, p.ns.Rates, "preview:"+token, string(b), 30*time.Second) // EXPECT kvttl
}

// Availability pushes the counts for one room type over the booking horizon.
func (p *Publisher) Availability(ctx context.Context, rows []domain.Availability) error {
	pairs := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(rows))
	for _, a := range rows {
		b, _ := json.Marshal(a)
		pairs = append(pairs, kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(domain.InventoryKey(a.RoomType, a.Date)),
			Value: cloudflare.F(string(b)),
		})
	}
	return p.kv.BulkPut(ctx, p.ns.Inventory, pairs)
}

// Retry runs op with exponential backoff while the API answers 429.
func Retry(ctx context.Context, attempts int, op func() error) error {
	delay := 2 * time.Second
	var err error
	for i := 0; i < attempts; i++ {
		if err = op(); err == nil {
			return nil
		}
		var apiErr *cloudflare.Error
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 429 {
			return err
		}
		log.Printf("publish: rate limited, retrying in %s", delay)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
		delay *= 2
	}
	return err
}
