// Package usage records metered usage per customer and metric.
//
// The ledger (Postgres) is the billing source of truth; the KV counters are
// a fast running total used for quota checks and the portal usage page.
package usage

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"example.com/billing/internal/clock"
	"example.com/billing/internal/kvstore"
)

// Event is one metered usage report.
type Event struct {
	CustomerID string    `json:"customer_id"`
	Metric     string    `json:"metric"`
	Quantity   int64     `json:"quantity"`
	At         time.Time `json:"at"`
	RequestID  string    `json:"request_id"`
}

// Ledger is the durable usage ledger.
type Ledger interface {
	Append(ctx context.Context, ev Event) error
	Totals(ctx context.Context, customerID, period string) (map[string]int64, error)
}

// Counters maintains per-period running totals in KV.
type Counters struct {
	kv        kvstore.KV
	ledger    Ledger
	clock     clock.Clock
	retention time.Duration

	// Key builds the counter key for a customer, metric and billing period.
	Key func(customerID, metric, period string) string
}

// Option configures Counters.
type Option func(*Counters)

// WithRetention sets how long period counters are kept.
func WithRetention(d time.Duration) Option { return func(c *Counters) { c.retention = d } }

// WithKeyFunc overrides the counter key layout.
func WithKeyFunc(fn func(customerID, metric, period string) string) Option {
	return func(c *Counters) { c.Key = fn }
}

// PeriodPrefix is the key prefix shared by all counters of one customer in
// one billing period.
func PeriodPrefix(customerID, period string) string {
	return "usage:" + customerID + ":" + period + ":"
}

// Period returns the billing period label for t.
func Period(t time.Time) string { return t.UTC().Format("2006-01") }

// NewCounters wires the counters.
func NewCounters(kv kvstore.KV, ledger Ledger, clk clock.Clock, opts ...Option) *Counters {
	c := &Counters{
		kv:        kv,
		ledger:    ledger,
		clock:     clk,
		retention: 62 * 24 * time.Hour,
		Key: func(customerID, metric, period string) string {
			return PeriodPrefix(customerID, period) + metric
		},
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Record appends ev to the ledger and bumps the running total. It returns
// the new period total.
func (c *Counters) Record(ctx context.Context, ev Event) (int64, error) {
	if ev.At.IsZero() {
		ev.At = c.clock.Now()
	}
	if err := c.ledger.Append(ctx, ev); err != nil {
		return 0, fmt.Errorf("usage ledger: %w", err)
	}
	key := c.Key(ev.CustomerID, ev.Metric, Period(ev.At))
	total, err := c.read(ctx, key)
	if err != nil {
		return 0, err
	}
	total += ev.Quantity
	if err := c.kv.Put(ctx, key, []byte(strconv.FormatInt(total, 10)), kvstore.WithTTL(c.retention)); err != nil { // EXPECT kvcounter
		return 0, err
	}
	if err := c.rememberMetric(ctx, ev.CustomerID, ev.Metric); err != nil {
		return total, err
	}
	return total, nil
}

func (c *Counters) read(ctx context.Context, key string) (int64, error) {
	raw, err := c.kv.Get(ctx, key)
	if kvstore.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(string(raw), 10, 64)
}

func metricsKey(customerID string) string { return "usage:metrics:" + customerID }

// rememberMetric keeps the comma-separated list of metrics a customer has
// ever reported, for the portal's usage page.
func (c *Counters) rememberMetric(ctx context.Context, customerID, metric string) error {
	key := metricsKey(customerID)
	raw, err := c.kv.Get(ctx, key)
	if err != nil && !kvstore.IsNotFound(err) {
		return err
	}
	known := string(raw)
	for _, m := range strings.Split(known, ",") {
		if m == metric {
			return nil
		}
	}
	if known != "" {
		known += ","
	}
	return c.kv.Put(ctx, key, []byte(known+metric)) // EXPECT kvrace
}

// Current returns the running total for the current period.
func (c *Counters) Current(ctx context.Context, customerID, metric string) (int64, error) {
	return c.read(ctx, c.Key(customerID, metric, Period(c.clock.Now())))
}

// Metrics returns the metrics a customer has reported.
func (c *Counters) Metrics(ctx context.Context, customerID string) ([]string, error) {
	raw, err := c.kv.Get(ctx, metricsKey(customerID))
	if kvstore.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return strings.Split(string(raw), ","), nil
}

// PublishRollup copies the ledger's totals for the current period into KV so
// the edge can render the usage widget without reaching the database.
func (c *Counters) PublishRollup(ctx context.Context, customerID string) error {
	period := Period(c.clock.Now())
	totals, err := c.ledger.Totals(ctx, customerID, period)
	if err != nil {
		return err
	}
	buf, err := json.Marshal(map[string]any{"period": period, "totals": totals, "generated_at": c.clock.Now().UTC()})
	if err != nil {
		return err
	}
	return c.kv.Put(ctx, "usage:rollup:"+customerID, buf, kvstore.WithTTL(time.Hour))
}
