// Package quota enforces monthly usage quotas and seat limits per tenant.
package quota

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/saas/internal/config"
	"example.com/saas/internal/db"
	"example.com/saas/internal/kvstore"
)

// ErrExceeded is returned when a tenant has used up its quota.
var ErrExceeded = errors.New("quota: exceeded")

// Checker enforces quotas.
type Checker struct {
	store *kvstore.Store
	db    *sql.DB
}

// New binds the LIMITS namespace and D1.
func New() (*Checker, error) {
	st, err := kvstore.Open(config.BindingLimits)
	if err != nil {
		return nil, err
	}
	d, err := db.Get()
	if err != nil {
		return nil, err
	}
	return &Checker{store: st, db: d}, nil
}

func endOfMonth(t time.Time) time.Time {
	y, m, _ := t.UTC().Date()
	return time.Date(y, m+1, 1, 0, 0, 0, 0, time.UTC)
}

// Plan returns the tenant's plan, cached at the edge.
func (c *Checker) Plan(ctx context.Context, tenant string) (*db.Plan, error) {
	key := kvstore.PlanKey(tenant)
	if raw, ok, err := c.store.GetCached(key, time.Minute); err == nil && ok {
		p := &db.Plan{}
		if json.Unmarshal([]byte(raw), p) == nil {
			return p, nil
		}
	}
	p, err := db.LoadPlan(ctx, c.db, tenant)
	if err != nil {
		return nil, err
	}
	b, _ := json.Marshal(p)
	if err := c.store.PutFor(key, string(b), config.PlanCacheTTL); err != nil {
		return nil, err
	}
	return p, nil
}

// Consume charges units against this month's quota.
func (c *Checker) Consume(ctx context.Context, tenant string, units int) error {
	p, err := c.Plan(ctx, tenant)
	if err != nil {
		return err
	}
	now := time.Now()
	used, err := c.store.Add(kvstore.QuotaKey(tenant, kvstore.MonthOf(now)), units, 40*24*time.Hour)
	if err != nil {
		return err
	}
	if int64(used) > p.MonthlyUnits {
		return c.warnOverage(tenant, now, int64(used)-p.MonthlyUnits)
	}
	return nil
}

// Used returns this month's consumption for the usage bar on the dashboard.
func (c *Checker) Used(tenant string) (int64, error) {
	raw, ok, err := c.store.GetCached(kvstore.QuotaKey(tenant, kvstore.MonthOf(time.Now())), 10*time.Second) // EXPECT kvttl
	if err != nil || !ok {
		return 0, err
	}
	return strconv.ParseInt(raw, 10, 64)
}

// warnOverage shows a banner until the end of the billing month.
func (c *Checker) warnOverage(tenant string, now time.Time, over int64) error {
	msg := fmt.Sprintf("You are %d units over your plan this month.", over)
	return c.store.Namespace().PutString("overage-banner:"+tenant, msg, &kv.PutOptions{
		Expiration: int(endOfMonth(now).UnixMilli()), // EXPECT kvttl
	})
}

// ReserveSeats books n seats for new members; the total is saved on the way
// out so that every return path persists it.
func (c *Checker) ReserveSeats(ctx context.Context, tenant string, n int) (err error) {
	ns := c.store.Namespace()
	key := "seats:" + tenant
	raw, err := ns.GetString(key, nil)
	if err != nil {
		return err
	}
	used := 0
	if !kvstore.Missing(raw) {
		if used, err = strconv.Atoi(raw); err != nil {
			return err
		}
	}
	defer func() {
		if err == nil {
			err = ns.PutString(key, strconv.Itoa(used), nil) // EXPECT kvcounter|kvrace
		}
	}()
	p, err := c.Plan(ctx, tenant)
	if err != nil {
		return err
	}
	if used+n > p.Seats {
		return ErrExceeded
	}
	used += n
	return nil
}

// ResetMonth clears a tenant's consumption after a billing correction.
func (c *Checker) ResetMonth(tenant string, month string) error {
	return c.store.Delete(kvstore.QuotaKey(tenant, month))
}
