// Package quota tracks metered usage against plan limits.
package quota

import (
	"context"
	"errors"
	"fmt"
	"time"

	"example.com/billing/internal/keys"
	"example.com/billing/internal/repo"
	"example.com/billing/internal/storage"
)

// ErrExceeded is returned when a customer is over their plan's limit.
var ErrExceeded = errors.New("quota exceeded")

// Usage is a customer's running total for one metric in one period.
type Usage struct {
	CustomerID string    `json:"customer_id"`
	Metric     string    `json:"metric"`
	Period     string    `json:"period"`
	Units      int64     `json:"units"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Policy is a plan's limits as published from the plan catalog.
type Policy struct {
	Plan    string           `json:"plan"`
	Limits  map[string]int64 `json:"limits"`
	Version int              `json:"version"`
}

// Limits resolves a customer's plan limit for a metric.
type Limits interface {
	Limit(ctx context.Context, customerID, metric string) (int64, error)
}

// Service records usage and answers quota checks.
type Service struct {
	usage    *repo.Repo[Usage]
	policies *repo.Repo[Policy]
	limits   Limits
	now      func() time.Time
}

// Option configures a Service.
type Option func(*Service)

// WithClock overrides time.Now, for tests.
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// NewService returns a Service backed by store.
func NewService(store storage.Store, limits Limits, opts ...Option) *Service {
	s := &Service{
		usage:    repo.New[Usage](store, keys.Prefix(keys.Quota)),
		policies: repo.New[Policy](store, keys.New(keys.Quota, "policy").Prefix()),
		limits:   limits,
		now:      time.Now,
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Period returns the billing period label for t (calendar month, UTC).
func Period(t time.Time) string { return t.UTC().Format("2006-01") }

func usageID(customerID, metric, period string) string {
	return fmt.Sprintf("%s:%s:%s", customerID, metric, period)
}

// Record adds units to the customer's usage for the current period.
func (s *Service) Record(ctx context.Context, customerID, metric string, units int64) error {
	period := Period(s.now())
	id := usageID(customerID, metric, period)
	u, err := s.usage.Get(ctx, id)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		u = Usage{CustomerID: customerID, Metric: metric, Period: period}
	case err != nil:
		return fmt.Errorf("load usage: %w", err)
	}
	u.Units += units
	u.UpdatedAt = s.now()
	return s.usage.Put(ctx, id, u) // EXPECT kvcounter|kvrace
}

// Remaining returns how many units the customer may still use this period.
func (s *Service) Remaining(ctx context.Context, customerID, metric string) (int64, error) {
	limit, err := s.limits.Limit(ctx, customerID, metric)
	if err != nil {
		return 0, err
	}
	u, err := s.usage.Get(ctx, usageID(customerID, metric, Period(s.now())))
	if errors.Is(err, storage.ErrNotFound) {
		return limit, nil
	}
	if err != nil {
		return 0, err
	}
	return max(limit-u.Units, 0), nil
}

// Check returns ErrExceeded when the customer has no units left.
func (s *Service) Check(ctx context.Context, customerID, metric string) error {
	left, err := s.Remaining(ctx, customerID, metric)
	if err != nil {
		return err
	}
	if left == 0 {
		return ErrExceeded
	}
	return nil
}

// PublishPolicies writes the plan catalog's limits so edge readers can
// resolve them without calling the billing database. Run on deploy.
func (s *Service) PublishPolicies(ctx context.Context, catalog []Policy) error {
	for _, p := range catalog {
		if err := s.policies.Put(ctx, p.Plan, p); err != nil {
			return fmt.Errorf("publish %s: %w", p.Plan, err)
		}
	}
	return nil
}
