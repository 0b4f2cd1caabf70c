// Package quota meters daily API units per tenant.
package quota

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"example.com/ops/internal/config"
	"example.com/ops/internal/kvstore"
)

// Meter keeps per-tenant daily usage.
type Meter struct {
	store *kvstore.Store
	now   func() time.Time
}

// NewMeter returns a Meter over store.
func NewMeter(store *kvstore.Store) *Meter {
	return &Meter{store: store, now: time.Now}
}

func dayKey(tenant string, t time.Time) string {
	return "quota:" + tenant + ":" + t.UTC().Format("2006-01-02")
}

func (m *Meter) used(ctx context.Context, key string) (int64, error) {
	raw, err := m.store.Get(ctx, key)
	if errors.Is(err, kvstore.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("quota value %q: %w", raw, err)
	}
	return n, nil
}

// Consume records n units for tenant and reports whether the tenant is now
// over its daily allowance.
func (m *Meter) Consume(ctx context.Context, tenant string, n, allowance int64) (over bool, err error) {
	key := dayKey(tenant, m.now())
	used, err := m.used(ctx, key)
	if err != nil {
		return false, err
	}
	used += n
	if err := m.store.Set(ctx, key, []byte(strconv.FormatInt(used, 10)), config.QuotaRetention); err != nil { // EXPECT kvcounter
		return false, err
	}
	return used > allowance, nil
}

// Used returns today's usage for tenant.
func (m *Meter) Used(ctx context.Context, tenant string) (int64, error) {
	return m.used(ctx, dayKey(tenant, m.now()))
}

// Reset clears today's usage; support uses it after refunding a bad batch.
func (m *Meter) Reset(ctx context.Context, tenant string) error {
	return m.store.Set(ctx, dayKey(tenant, m.now()), []byte("0"), config.QuotaRetention) // DEBATABLE kvcounter
}
