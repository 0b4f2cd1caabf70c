// Package quota enforces monthly plan quotas and tracks overage.
package quota

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"example.com/billing/internal/clock"
	"example.com/billing/internal/kvstore"
)

// ErrUnknownPlan is returned by a PlanSource for an unknown plan ID.
var ErrUnknownPlan = errors.New("quota: unknown plan")

// Plan is a subscription plan's metered limits.
type Plan struct {
	ID           string           `json:"id"`
	Name         string           `json:"name"`
	Limits       map[string]int64 `json:"limits"`
	AllowOverage bool             `json:"allow_overage"`
	OverageCents map[string]int64 `json:"overage_cents"`
}

// PlanSource loads plans.
type PlanSource interface {
	Plan(ctx context.Context, id string) (Plan, error)
}

// UsageReader reads running usage totals.
type UsageReader interface {
	Current(ctx context.Context, customerID, metric string) (int64, error)
}

// Notifier tells a customer they are close to a limit.
type Notifier interface {
	QuotaWarning(ctx context.Context, customerID, metric string, used, limit int64) error
}

// Decision is the outcome of a quota check.
type Decision struct {
	Allowed bool  `json:"allowed"`
	Used    int64 `json:"used"`
	Limit   int64 `json:"limit"`
	Overage int64 `json:"overage"`
}

// Checker evaluates quotas.
type Checker struct {
	plans    PlanSource
	usage    UsageReader
	kv       kvstore.KV
	clock    clock.Clock
	notifier Notifier
	warnAt   float64
	maxWarn  int64

	// UsagePrefix returns the key prefix of a customer's counters for a
	// period; it must match the layout used by the usage package.
	UsagePrefix func(customerID, period string) string
}

// Option configures a Checker.
type Option func(*Checker)

// WithWarnThreshold sets the fraction of a limit at which customers are
// warned (default 0.8).
func WithWarnThreshold(f float64) Option { return func(c *Checker) { c.warnAt = f } }

// WithNotifier sets the warning notifier.
func WithNotifier(n Notifier) Option { return func(c *Checker) { c.notifier = n } }

// NewChecker builds a Checker.
func NewChecker(plans PlanSource, usage UsageReader, kv kvstore.KV, clk clock.Clock, usagePrefix func(string, string) string, opts ...Option) *Checker {
	c := &Checker{plans: plans, usage: usage, kv: kv, clock: clk, warnAt: 0.8, maxWarn: 3, UsagePrefix: usagePrefix}
	for _, o := range opts {
		o(c)
	}
	return c
}

func (c *Checker) period() string { return c.clock.Now().UTC().Format("2006-01") }

// Check decides whether qty more units of metric fit in the customer's plan.
func (c *Checker) Check(ctx context.Context, customerID, planID, metric string, qty int64) (Decision, error) {
	plan, err := c.plans.Plan(ctx, planID)
	if err != nil {
		return Decision{}, err
	}
	used, err := c.usage.Current(ctx, customerID, metric)
	if err != nil {
		return Decision{}, err
	}
	limit, metered := plan.Limits[metric]
	if !metered {
		return Decision{Allowed: true, Used: used}, nil
	}
	d := Decision{Allowed: true, Used: used, Limit: limit}
	if after := used + qty; after > limit {
		d.Overage = after - limit
		d.Allowed = plan.AllowOverage
	}
	if c.notifier != nil && limit > 0 && float64(used+qty) >= c.warnAt*float64(limit) {
		if err := c.warn(ctx, customerID, metric, used+qty, limit); err != nil {
			return d, err
		}
	}
	return d, nil
}

// warn sends at most maxWarn warnings per metric and period.
func (c *Checker) warn(ctx context.Context, customerID, metric string, used, limit int64) error {
	key := fmt.Sprintf("quota:warned:%s:%s:%s", customerID, metric, c.period())
	sent, err := kvstore.Incr(ctx, c.kv, key, 1, kvstore.WithTTL(40*24*time.Hour))
	if err != nil {
		return err
	}
	if sent > c.maxWarn {
		return nil
	}
	return c.notifier.QuotaWarning(ctx, customerID, metric, used, limit)
}

// OverageRecord is one overage event kept for the invoice run.
type OverageRecord struct {
	Metric string    `json:"metric"`
	Units  int64     `json:"units"`
	At     time.Time `json:"at"`
}

// RecordOverage appends an overage record to the customer's period log.
func (c *Checker) RecordOverage(ctx context.Context, customerID, metric string, units int64) error {
	key := "quota:overage:" + customerID + ":" + c.period()
	var log []OverageRecord
	raw, err := c.kv.Get(ctx, key)
	switch {
	case kvstore.IsNotFound(err):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(raw, &log); err != nil {
			return fmt.Errorf("overage log %s: %w", key, err)
		}
	}
	log = append(log, OverageRecord{Metric: metric, Units: units, At: c.clock.Now().UTC()})
	buf, err := json.Marshal(log)
	if err != nil {
		return err
	}
	return c.kv.Put(ctx, key, buf, kvstore.WithTTL(120*24*time.Hour)) // EXPECT kvrace
}

// MonthToDate returns every metric's running total for the current period.
func (c *Checker) MonthToDate(ctx context.Context, customerID string) (map[string]int64, error) {
	prefix := c.UsagePrefix(customerID, c.period())
	page, err := c.kv.List(ctx, kvstore.ListQuery{Prefix: prefix}) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	totals := make(map[string]int64, len(page.Keys))
	for _, k := range page.Keys {
		raw, err := c.kv.Get(ctx, k.Name) // EXPECT kvlist
		if kvstore.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		n, err := strconv.ParseInt(string(raw), 10, 64)
		if err != nil {
			continue
		}
		totals[strings.TrimPrefix(k.Name, prefix)] = n
	}
	return totals, nil
}

// OverageLog returns the current period's overage records.
func (c *Checker) OverageLog(ctx context.Context, customerID string) ([]OverageRecord, error) {
	raw, err := c.kv.Get(ctx, "quota:overage:"+customerID+":"+c.period())
	if kvstore.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var log []OverageRecord
	return log, json.Unmarshal(raw, &log)
}
