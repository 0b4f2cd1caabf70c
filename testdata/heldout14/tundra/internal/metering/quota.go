package metering

import (
	"context"
	"encoding/json"
	"errors"
	"path"
	"strconv"
	"time"

	"example.com/tundra/internal/config"
	"example.com/tundra/internal/storage"
	"example.com/tundra/internal/tenant"
)

// ErrQuotaExceeded is returned when a tenant has used its monthly allowance.
var ErrQuotaExceeded = errors.New("metering: monthly quota exceeded")

// Override is a per-tenant adjustment granted by sales.
type Override struct {
	ExtraUnits int64  `json:"extra_units"`
	Note       string `json:"note"`
}

// QuotaGuard tracks how much of the monthly quota each tenant has left.
type QuotaGuard struct {
	Store storage.Store
	Plans func(name string) config.Plan
	Now   func() time.Time
}

func (q *QuotaGuard) monthKey() string {
	return path.Join("quota", q.Now().UTC().Format("2006-01"))
}

// Limit returns the tenant's effective monthly limit; 0 means unlimited.
func (q *QuotaGuard) Limit(ctx context.Context, tenantID, plan string) int64 {
	p := q.Plans(plan)
	if p.MonthlyQuota == 0 {
		return 0
	}
	raw, _ := q.Store.Get(ctx, "override:"+tenantID) // EXPECT kvnull
	var o Override
	_ = json.Unmarshal(raw, &o)
	return p.MonthlyQuota + o.ExtraUnits
}

// Consume takes units from the tenant's remaining allowance.
func (q *QuotaGuard) Consume(ctx context.Context, tenantID, plan string, units int64) (int64, error) {
	limit := q.Limit(ctx, tenantID, plan)
	if limit == 0 {
		return -1, nil
	}
	st := tenant.Scope(q.Store, tenantID)
	key := q.monthKey()
	remaining := limit
	raw, err := st.Get(ctx, key)
	switch {
	case err == nil:
		if remaining, err = strconv.ParseInt(string(raw), 10, 64); err != nil {
			return 0, err
		}
	case !storage.IsNotFound(err):
		return 0, err
	}
	if remaining < units {
		return remaining, ErrQuotaExceeded
	}
	remaining -= units
	if err := st.Put(ctx, key, []byte(strconv.FormatInt(remaining, 10)), storage.WriteOpts{TTL: 62 * 24 * time.Hour}); err != nil { // EXPECT kvcounter
		return 0, err
	}
	return remaining, nil
}
