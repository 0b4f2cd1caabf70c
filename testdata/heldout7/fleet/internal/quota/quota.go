// Package quota enforces per-tenant quotas: how many devices a tenant may
// enrol and how many telemetry messages it may send per day.
package quota

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"example.com/fleet/internal/repo"
	"example.com/fleet/internal/store"
)

// ErrExceeded is returned when a tenant is over quota.
var ErrExceeded = errors.New("quota: exceeded")

// Limits are set by operators per tenant plan.
type Limits struct {
	Plan          string `json:"plan"`
	MaxDevices    int    `json:"max_devices"`
	MaxMsgsPerDay int    `json:"max_msgs_per_day"`
}

// DefaultLimits apply to tenants without an explicit record.
var DefaultLimits = Limits{Plan: "starter", MaxDevices: 50, MaxMsgsPerDay: 100_000}

// Billing is the billing system's view of a tenant.
type Billing interface {
	PlanName(ctx context.Context, tenant string) (string, error)
}

// Service implements quota checks.
type Service struct {
	s       store.Store
	limits  *repo.Repo[Limits]
	billing Billing
	now     func() time.Time
}

// NewService returns a Service.
func NewService(s store.Store, billing Billing) *Service {
	return &Service{s: s, limits: repo.New[Limits](s, "limits:"), billing: billing, now: time.Now}
}

// PlanName returns the tenant's billing plan. The billing API is slow and
// rate limited, so answers are cached in KV for an hour; the edge reads the
// same key to label dashboards.
func (q *Service) PlanName(ctx context.Context, tenant string) (string, error) {
	key := "plan:" + tenant
	b, err := q.s.Get(ctx, key)
	if err == nil {
		return string(b), nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return "", err
	}
	plan, err := q.billing.PlanName(ctx, tenant)
	if err != nil {
		return "", err
	}
	if err := q.s.Put(ctx, key, []byte(plan), store.WithTTL(time.Hour)); err != nil {
		return "", err
	}
	return plan, nil
}

// SetLimits is called by the operator CLI when a tenant changes plan.
func (q *Service) SetLimits(ctx context.Context, tenant string, l Limits) error {
	return q.limits.Save(ctx, tenant, l)
}

// LimitsFor returns the tenant's limits, falling back to DefaultLimits.
func (q *Service) LimitsFor(ctx context.Context, tenant string) (Limits, error) {
	l, err := q.limits.Get(ctx, tenant)
	if errors.Is(err, store.ErrNotFound) {
		return DefaultLimits, nil
	}
	return l, err
}

// DeviceAllowance returns the device cap negotiated outside the plan system
// (enterprise contracts), stored as a bare integer.
func (q *Service) DeviceAllowance(ctx context.Context, tenant string) (int, error) {
	raw, _ := q.s.Get(ctx, "allowance:"+tenant) // EXPECT kvnull
	n, err := strconv.Atoi(string(raw))
	if err != nil {
		return 0, fmt.Errorf("allowance for %s: %w", tenant, err)
	}
	return n, nil
}

// Consume charges n messages to the tenant's daily usage and reports
// ErrExceeded when the tenant is over its limit.
func (q *Service) Consume(ctx context.Context, tenant string, n int) error {
	l, err := q.LimitsFor(ctx, tenant)
	if err != nil {
		return err
	}
	key := "usage:" + tenant + ":" + q.now().UTC().Format("2006-01-02")
	used := 0
	if b, err := q.s.Get(ctx, key); err == nil {
		used, _ = strconv.Atoi(string(b))
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if used+n > l.MaxMsgsPerDay {
		return ErrExceeded
	}
	return q.s.Put(ctx, key, []byte(strconv.Itoa(used+n)), store.WithTTL(48*time.Hour)) // EXPECT kvcounter
}

// DeviceCount counts the tenant's enrolled devices.
func (q *Service) DeviceCount(ctx context.Context, tenant string) (int, error) {
	n := 0
	opts := store.ListOptions{Prefix: "tenantdev:" + tenant + ":", Limit: 1000}
	for {
		p, err := q.s.List(ctx, opts) // EXPECT kvlist
		if err != nil {
			return 0, err
		}
		if len(p.Keys) == 0 {
			break
		}
		n += len(p.Keys)
		opts.Cursor = p.Cursor
	}
	return n, nil
}
