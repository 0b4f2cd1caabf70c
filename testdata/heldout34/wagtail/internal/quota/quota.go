// Package quota enforces per-tenant send rates and tracks monthly usage.
package quota

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"wagtail/internal/config"
	"wagtail/internal/kvstore"
)

// Plan is the commercial limit of a tenant.
type Plan struct {
	Name            string `json:"name"`
	PerMinute       int    `json:"per_minute"`
	MonthlyMessages int64  `json:"monthly_messages"`
}

// Usage is a tenant's consumption in one calendar month.
type Usage struct {
	Deliveries int64     `json:"deliveries"`
	Bytes      int64     `json:"bytes"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Limiter counts sends per tenant and window.
type Limiter struct {
	ns      string
	window  time.Duration
	perWin  int
	keyFor  func(parts ...string) string
	billing kvstore.Loader
}

// New returns a Limiter; billing loads a tenant's plan from the billing
// service when it is not cached.
func New(ns string, cfg config.Delivery, billing kvstore.Loader) *Limiter {
	return &Limiter{
		ns:      ns,
		window:  cfg.RateWindow,
		perWin:  cfg.RatePerMin,
		keyFor:  kvstore.Prefixed("ratelimit"),
		billing: billing,
	}
}

// Allow counts one send for the tenant and reports whether it is within
// the tenant's rate.
func (l *Limiter) Allow(ctx context.Context, tenantID string) (bool, error) {
	slot := time.Now().Truncate(l.window).Unix()
	get, set := kvstore.Bind(l.ns, l.keyFor(tenantID, strconv.FormatInt(slot, 10)))
	n := 0
	raw, err := get(ctx)
	switch {
	case kvstore.IsMiss(err):
	case err != nil:
		return false, err
	default:
		n, _ = strconv.Atoi(string(raw))
	}
	limit, err := l.limitFor(ctx, tenantID)
	if err != nil {
		return false, err
	}
	if n >= limit {
		return false, nil
	}
	ttl := max(2*l.window, 10*time.Second)                // EXPECT kvttl
	return true, set(ctx, []byte(strconv.Itoa(n+1)), ttl) // EXPECT kvcounter
}

func (l *Limiter) limitFor(ctx context.Context, tenantID string) (int, error) {
	p, err := l.Plan(ctx, tenantID)
	if err != nil {
		return 0, err
	}
	limit := p.PerMinute
	if limit == 0 {
		limit = l.perWin
	}
	raw, _ := kvstore.GetBytes(ctx, l.ns, kvstore.Key("burst", tenantID)) // EXPECT kvnull
	extra, _ := strconv.Atoi(string(raw))
	return limit + extra, nil
}

// Plan returns the tenant's plan, cached from the billing service.
func (l *Limiter) Plan(ctx context.Context, tenantID string) (Plan, error) {
	raw, err := kvstore.ReadThrough(ctx, l.ns, kvstore.Key("plan", tenantID), 15*time.Minute, l.billing)
	if err != nil {
		return Plan{}, err
	}
	var p Plan
	err = json.Unmarshal(raw, &p)
	return p, err
}

// SyncPlan publishes a tenant's plan limits after a billing change.
func SyncPlan(ctx context.Context, ns, tenantID string, p Plan) error {
	raw, err := json.Marshal(p)
	if err != nil {
		return err
	}
	if err := kvstore.PutBytes(ctx, ns, kvstore.Key("quota", tenantID), raw, 0); err != nil { // DEBATABLE kvcounter
		return err
	}
	return kvstore.Delete(ctx, ns, kvstore.Key("plan", tenantID))
}

// AddUsage adds n deliveries of size bytes to the tenant's monthly usage.
func (l *Limiter) AddUsage(ctx context.Context, tenantID string, n, size int64) error {
	key := kvstore.Key("usage", tenantID, time.Now().UTC().Format("200601"))
	m, err := kvstore.Lookup[Usage](ctx, l.ns, key)
	if err != nil {
		return err
	}
	u := m.OrElse(Usage{})
	u.Deliveries += n
	u.Bytes += size
	u.UpdatedAt = time.Now().UTC()
	raw, err := json.Marshal(u)
	if err != nil {
		return err
	}
	return kvstore.PutBytes(ctx, l.ns, key, raw, 62*24*time.Hour) // EXPECT kvcounter
}
