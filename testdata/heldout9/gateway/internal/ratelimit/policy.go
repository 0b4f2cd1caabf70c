// Package ratelimit publishes per-tenant limits for the edge worker and
// protects the admin API itself.
package ratelimit

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"example.com/gateway/internal/keys"
	"example.com/gateway/internal/repo"
	"example.com/gateway/internal/store"
)

// Policy is the limit the edge enforces for one tenant.
type Policy struct {
	Tenant            string         `json:"tenant"`
	RequestsPerMinute int            `json:"rpm"`
	Burst             int            `json:"burst"`
	MonthlyQuota      int            `json:"monthly_quota"`
	Overrides         map[string]int `json:"overrides,omitempty"`
	UpdatedAt         time.Time      `json:"updated_at"`
}

func (p Policy) Key() string { return p.Tenant }

// Publisher writes policies. The admin database stays the source of truth;
// KV holds what the edge reads.
type Publisher struct {
	policies *repo.Repo[Policy]
	w        store.Writer
	now      func() time.Time
}

// NewPublisher returns a publisher whose documents live for ttl.
func NewPublisher(st store.Store, ttl time.Duration) *Publisher {
	return &Publisher{
		policies: repo.New[Policy](st, keys.PolicyPrefix, repo.WithDefaultTTL(ttl)),
		w:        st,
		now:      time.Now,
	}
}

// Publish pushes a policy loaded from the admin database.
func (p *Publisher) Publish(ctx context.Context, pol Policy) error {
	if pol.RequestsPerMinute <= 0 {
		return fmt.Errorf("tenant %s: rpm must be positive", pol.Tenant)
	}
	pol.UpdatedAt = p.now().UTC()
	if err := p.policies.Save(ctx, pol); err != nil {
		return err
	}
	return p.w.Put(ctx, keys.QuotaLimit(pol.Tenant), []byte(strconv.Itoa(pol.MonthlyQuota)))
}

// SetRouteOverride lets support raise the limit of a single route for a
// tenant without going through a full policy publish.
func (p *Publisher) SetRouteOverride(ctx context.Context, tenant, route string, rpm int) error {
	pol, err := p.policies.Get(ctx, tenant)
	if err != nil {
		return fmt.Errorf("load policy %s: %w", tenant, err)
	}
	if pol.Overrides == nil {
		pol.Overrides = map[string]int{}
	}
	pol.Overrides[route] = rpm
	pol.UpdatedAt = p.now().UTC()
	return p.policies.Save(ctx, pol) // EXPECT kvrace
}
