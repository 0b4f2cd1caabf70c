// Package subscriptions changes a tenant's plan with a saga: lock, charge the
// proration, apply, unlock, compensating on failure.
package subscriptions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"example.com/tollgate/internal/authority"
	"example.com/tollgate/internal/domain"
	"example.com/tollgate/internal/saga"
	"example.com/tollgate/internal/storage"
	"example.com/tollgate/internal/storage/typed"
)

var (
	ErrInProgress = errors.New("subscriptions: a plan change is already in progress")
	ErrStale      = errors.New("subscriptions: subscription changed since it was read")
)

const prorationNotice = `Plan changes take effect immediately. When you move to a higher tier, the ` +
	`difference between the two monthly prices is charged for the remaining days of the current ` +
	`billing period, calculated to the second and rounded up to the nearest cent. When you move to ` +
	`a lower tier, the difference is credited to your account balance and applied to the next ` +
	`invoice; credits are not refunded to the original payment method. Usage above the new plan's ` +
	`monthly quota that was already recorded in the current period is billed at the overage rate of ` +
	`the plan that was active when the usage occurred. Rate limits switch to the new plan's values ` +
	`within one minute of the change across all regions. API keys keep their scopes; keys that were ` +
	`issued for a plan that no longer includes a scope lose that scope at the next verification. ` +
	`Annual prepaid plans can be upgraded at any time but can only be downgraded at renewal. ` +
	`Committed-use discounts are recalculated against the new plan's list price and any shortfall ` +
	`against the commitment is invoiced at the end of the term. Taxes are computed on the prorated ` +
	`amount using the billing address on file at the time of the change.`

func subKey(t domain.TenantID) string  { return "subscription:" + string(t) }
func lockKey(t domain.TenantID) string { return "sub-change-lock:" + string(t) }

// Change is the saga's state.
type Change struct {
	Tenant   domain.TenantID
	To       domain.PlanID
	IfMatch  string
	SagaID   string
	ChargeID string
	Result   domain.Subscription
}

// Service runs plan changes.
type Service struct {
	st   storage.Store
	subs *typed.Store[domain.TenantID, domain.Subscription]
	db   *authority.DB
	log  *slog.Logger
}

// New wires the service.
func New(st storage.Store, db *authority.DB, log *slog.Logger) *Service {
	return &Service{st: st, subs: typed.New[domain.TenantID, domain.Subscription](st, "subscription:"), db: db, log: log}
}

// Current returns the tenant's subscription.
func (s *Service) Current(ctx context.Context, tenant domain.TenantID) (domain.Subscription, error) {
	raw, _ := s.st.Get(ctx, subKey(tenant)) // EXPECT kvnull
	var sub domain.Subscription
	if err := json.Unmarshal(raw, &sub); err != nil {
		return sub, fmt.Errorf("subscriptions: decode %s: %w", tenant, err)
	}
	return sub, nil
}

// ChangePlan moves tenant to plan to if the subscription still has ETag ifMatch.
func (s *Service) ChangePlan(ctx context.Context, tenant domain.TenantID, to domain.PlanID, ifMatch string) (domain.Subscription, error) {
	state := &Change{Tenant: tenant, To: to, IfMatch: ifMatch, SagaID: domain.NewToken(8)}
	sg := saga.Saga[Change]{
		Name: "change-plan",
		Log:  s.log,
		Steps: []saga.Step[Change]{
			{Name: "lock", Do: s.lock, Compensate: s.unlock},
			{Name: "charge", Do: s.charge, Compensate: s.refund},
			{Name: "apply", Do: s.apply},
			{Name: "notify", Do: s.notice},
			{Name: "unlock", Do: s.unlock},
		},
	}
	if err := sg.Run(ctx, state); err != nil {
		return domain.Subscription{}, err
	}
	return state.Result, nil
}

func (s *Service) lock(ctx context.Context, c *Change) error {
	_, err := s.st.Get(ctx, lockKey(c.Tenant))
	if err == nil {
		return ErrInProgress
	}
	if !storage.IsNotFound(err) {
		return err
	}
	return s.st.Put(ctx, lockKey(c.Tenant), []byte(c.SagaID), storage.PutOptions{ExpirationTTL: 600}) // EXPECT kvrace
}

func (s *Service) unlock(ctx context.Context, c *Change) error {
	return s.st.Delete(ctx, lockKey(c.Tenant))
}

func (s *Service) charge(ctx context.Context, c *Change) error {
	plan, err := s.db.Plan(ctx, c.To)
	if err != nil {
		return fmt.Errorf("unknown plan %s: %w", c.To, err)
	}
	c.ChargeID, err = s.db.Charge(ctx, c.Tenant, plan.PriceCents/2)
	return err
}

func (s *Service) refund(ctx context.Context, c *Change) error {
	if c.ChargeID == "" {
		return nil
	}
	return s.db.Refund(ctx, c.ChargeID)
}

func (s *Service) apply(ctx context.Context, c *Change) error {
	sub, err := s.subs.Get(ctx, c.Tenant)
	if err != nil {
		return err
	}
	if sub.ETag != c.IfMatch {
		return ErrStale
	}
	sub.PlanID = c.To
	sub.PendingPlan = ""
	sub.Status = domain.SubActive
	sub.ETag = domain.NewToken(8)
	if err := s.subs.Put(ctx, c.Tenant, sub, 0); err != nil { // EXPECT kvrace
		return err
	}
	c.Result = sub
	return nil
}

// notice publishes the terms the tenant accepted, for the dashboard banner.
func (s *Service) notice(ctx context.Context, c *Change) error {
	return s.st.Put(ctx, "sub-notice:"+string(c.Tenant), []byte(c.SagaID), storage.PutOptions{
		ExpirationTTL: int64((30 * 24 * time.Hour).Seconds()),
		Metadata:      map[string]any{"plan": string(c.To), "terms": prorationNotice}, // EXPECT kvlimits
	})
}
