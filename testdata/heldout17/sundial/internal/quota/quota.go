// Package quota enforces the monthly ticket allowance of each tenant's plan.
package quota

import (
	"context"
	"errors"
	"time"

	"example.com/sundial/internal/clock"
	"example.com/sundial/internal/codec"
	"example.com/sundial/internal/keys"
	"example.com/sundial/internal/storage"
	"example.com/sundial/internal/storage/decorate"
)

// ErrExceeded is returned when a tenant has used its allowance.
var ErrExceeded = errors.New("quota: monthly ticket allowance used up")

// DefaultPlan is the plan of a tenant that never chose one.
const DefaultPlan = "free"

// Usage is a tenant's consumption in one billing period.
type Usage struct {
	Plan    string    `json:"plan"`
	Tickets int       `json:"tickets"`
	Period  time.Time `json:"period"`
	Updated time.Time `json:"updated"`
}

// Service tracks usage against plans.
type Service struct {
	root   storage.Store
	prefix string
	plans  map[string]int
	clock  clock.Clock
	codec  codec.JSON[Usage]
}

// NewService returns a Service. Each tenant's keys live under
// prefix+tenant+":" in root.
func NewService(root storage.Store, prefix string, plans map[string]int, c clock.Clock) *Service {
	return &Service{root: root, prefix: prefix, plans: plans, clock: c}
}

func (s *Service) store(tenant string) storage.Store {
	return decorate.WithPrefix(s.root, s.prefix+tenant+":")
}

// Plan returns the tenant's plan name.
func (s *Service) Plan(ctx context.Context, tenant string) (string, error) {
	b, err := s.store(tenant).Get(ctx, "plan")
	if storage.IsNotFound(err) {
		return DefaultPlan, nil
	}
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// EnsurePlan gives a newly created tenant the default plan.
func (s *Service) EnsurePlan(ctx context.Context, tenant string) error {
	st := s.store(tenant)
	if _, err := st.Get(ctx, "plan"); err != nil { // EXPECT kvnull
		return st.Put(ctx, "plan", []byte(DefaultPlan), storage.PutOptions{}) // DEBATABLE kvrace
	}
	return nil
}

// Consume records n tickets sold by tenant, refusing when the plan's
// allowance would be exceeded.
func (s *Service) Consume(ctx context.Context, tenant string, n int) (Usage, error) {
	plan, err := s.Plan(ctx, tenant)
	if err != nil {
		return Usage{}, err
	}
	now := s.clock.Now()
	st := s.store(tenant)
	k := keys.Quota(tenant, now).String()
	u, err := storage.GetAs(ctx, st, k, s.codec)
	if err != nil && !storage.IsNotFound(err) {
		return u, err
	}
	if u.Period.IsZero() {
		u = Usage{Plan: plan, Period: clock.StartOfMonth(now)}
	}
	if u.Tickets+n > s.plans[plan] {
		return u, ErrExceeded
	}
	u.Tickets += n
	u.Updated = now
	keep := storage.PutOptions{ExpireAt: clock.EndOfMonth(now).AddDate(0, 3, 0)}
	return u, storage.PutAs(ctx, st, k, u, s.codec, keep) // EXPECT kvcounter
}

// Usage returns the tenant's usage this month.
func (s *Service) Usage(ctx context.Context, tenant string) (Usage, error) {
	now := s.clock.Now()
	u, err := storage.GetAs(ctx, s.store(tenant), keys.Quota(tenant, now).String(), s.codec)
	if storage.IsNotFound(err) {
		plan, perr := s.Plan(ctx, tenant)
		return Usage{Plan: plan, Period: clock.StartOfMonth(now)}, perr
	}
	return u, err
}
