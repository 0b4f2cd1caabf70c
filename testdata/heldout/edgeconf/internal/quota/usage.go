package quota

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"example.com/edgeconf/internal/storage"
)

// ErrQuotaExceeded is returned when a tenant has used its monthly calls.
var ErrQuotaExceeded = errors.New("quota: monthly API quota exceeded")

// Usage is a tenant's consumption in one billing period.
type Usage struct {
	TenantID  string    `json:"tenant_id"`
	Period    string    `json:"period"`
	Calls     int64     `json:"calls"`
	UpdatedAt time.Time `json:"updated_at"`
}

// PlanLimits maps plan name to monthly calls.
type PlanLimits map[string]int64

// MeterConfig tunes the usage meter.
type MeterConfig struct {
	Limits PlanLimits
	// LimitCacheSeconds is how long a tenant's resolved limit is cached.
	LimitCacheSeconds int
	// Retention after the end of the period (for invoices).
	Retention time.Duration
}

// PlanLookup returns the plan of a tenant.
type PlanLookup func(ctx context.Context, tenantID string) (string, error)

// UsageMeter tracks monthly API calls per tenant.
type UsageMeter struct {
	cfg    MeterConfig
	store  storage.Store
	usage  *storage.Repo[Usage]
	planOf PlanLookup
	now    func() time.Time
	log    *slog.Logger
}

// NewUsageMeter returns a meter on store.
func NewUsageMeter(store storage.Store, planOf PlanLookup, cfg MeterConfig, log *slog.Logger) *UsageMeter {
	return &UsageMeter{
		cfg:    cfg,
		store:  store,
		usage:  storage.NewRepo[Usage](store, "usage:", storage.WithLogger(log)),
		planOf: planOf,
		now:    time.Now,
		log:    log,
	}
}

func periodOf(t time.Time) (string, time.Time) {
	t = t.UTC()
	start := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	return start.Format("2006-01"), start.AddDate(0, 1, 0)
}

// retention keeps a period's record until Retention after the period ends.
func (m *UsageMeter) retention(now, end time.Time) time.Duration {
	ttl := end.Sub(now) + m.cfg.Retention
	if ttl < time.Hour {
		ttl = time.Hour
	}
	return ttl
}

// Consume records n calls for tenantID, refusing once the plan limit is hit.
func (m *UsageMeter) Consume(ctx context.Context, tenantID string, n int64) (Usage, error) {
	now := m.now()
	period, end := periodOf(now)
	id := tenantID + ":" + period

	u, err := m.usage.Get(ctx, id)
	if err != nil && !storage.IsNotFound(err) {
		return u, err
	}
	limit, err := m.limitFor(ctx, tenantID)
	if err != nil {
		return u, err
	}
	if u.Calls+n > limit {
		return u, ErrQuotaExceeded
	}
	u.TenantID, u.Period = tenantID, period
	u.Calls += n
	u.UpdatedAt = now.UTC()
	if err := m.usage.PutTTL(ctx, id, u, m.retention(now, end)); err != nil { // EXPECT kvcounter
		return u, err
	}
	return u, nil
}

// Current returns the tenant's usage in the current period.
func (m *UsageMeter) Current(ctx context.Context, tenantID string) (Usage, error) {
	period, _ := periodOf(m.now())
	u, err := m.usage.Get(ctx, tenantID+":"+period)
	if storage.IsNotFound(err) {
		return Usage{TenantID: tenantID, Period: period}, nil
	}
	return u, err
}

// SetOverride pins a tenant's monthly limit regardless of plan (sales deals).
func (m *UsageMeter) SetOverride(ctx context.Context, tenantID string, limit int64) error {
	return m.store.Set(ctx, "quota-override:"+tenantID, []byte(strconv.FormatInt(limit, 10)), 0)
}

// limitFor resolves the tenant's limit: an explicit override wins, otherwise
// the plan's limit, cached briefly so the plan lookup is not on every call.
func (m *UsageMeter) limitFor(ctx context.Context, tenantID string) (int64, error) {
	if raw, err := m.store.Get(ctx, "quota-override:"+tenantID); err == nil {
		return strconv.ParseInt(string(raw), 10, 64)
	}
	cacheKey := "plan-limit:" + tenantID
	if raw, err := m.store.Get(ctx, cacheKey); err == nil {
		if v, perr := strconv.ParseInt(string(raw), 10, 64); perr == nil {
			return v, nil
		}
	}
	plan, err := m.planOf(ctx, tenantID)
	if err != nil {
		return 0, fmt.Errorf("quota: plan of %s: %w", tenantID, err)
	}
	limit, ok := m.cfg.Limits[plan]
	if !ok {
		return 0, fmt.Errorf("quota: unknown plan %q", plan)
	}
	if err := m.store.Set(ctx, cacheKey, []byte(strconv.FormatInt(limit, 10)), time.Duration(m.cfg.LimitCacheSeconds)); err != nil { // DEBATABLE kvttl
		m.log.WarnContext(ctx, "plan limit cache fill failed", "tenant", tenantID, "err", err)
	}
	return limit, nil
}
