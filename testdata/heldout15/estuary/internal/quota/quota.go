// Package quota enforces per-account daily event limits. Limits are set by
// the billing system; usage is tracked per UTC day.
package quota

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"example.com/estuary/internal/config"
	"example.com/estuary/internal/ids"
	"example.com/estuary/internal/kvstore"
)

// ErrOverQuota means the account has used its events for the day.
var ErrOverQuota = errors.New("quota: daily event limit reached")

// Limits are an account's plan limits.
type Limits struct {
	EventsPerDay int `json:"eventsPerDay"`
	PayloadBytes int `json:"payloadBytes"`
}

// Quota reads limits and records usage.
type Quota struct {
	store    kvstore.Store
	keys     config.KeyFormats
	defaults Limits
	now      func() time.Time
}

func New(store kvstore.Store, keys config.KeyFormats, defaults config.Limits) *Quota {
	return &Quota{
		store:    store,
		keys:     keys,
		defaults: Limits{EventsPerDay: defaults.EventsPerDay, PayloadBytes: defaults.PayloadBytes},
		now:      time.Now,
	}
}

func (q *Quota) limitsKey(acct ids.AccountID) string { return fmt.Sprintf(q.keys.Limits, acct) }

func (q *Quota) usageKey(acct ids.AccountID, day time.Time) string {
	return fmt.Sprintf(q.keys.Usage, acct, day.UTC().Format("20060102"))
}

// Limits returns acct's limits, or the plan defaults if billing has not set
// any.
func (q *Quota) Limits(ctx context.Context, acct ids.AccountID) (Limits, error) {
	b, err := q.store.Get(ctx, q.limitsKey(acct))
	if errors.Is(err, kvstore.ErrNotFound) {
		return q.defaults, nil
	}
	if err != nil {
		return Limits{}, err
	}
	var l Limits
	if err := json.Unmarshal(b, &l); err != nil {
		return Limits{}, fmt.Errorf("quota: limits for %s: %w", acct, err)
	}
	return l, nil
}

// SetLimits stores limits pushed by billing.
func (q *Quota) SetLimits(ctx context.Context, acct ids.AccountID, l Limits) error {
	b, err := json.Marshal(l)
	if err != nil {
		return err
	}
	return q.store.Put(ctx, q.limitsKey(acct), b, kvstore.PutOptions{})
}

// Ensure gives a newly provisioned account the default limits.
func (q *Quota) Ensure(ctx context.Context, acct ids.AccountID) error {
	if _, err := q.store.Get(ctx, q.limitsKey(acct)); err != nil { // EXPECT kvnull
		return q.SetLimits(ctx, acct, q.defaults)
	}
	return nil
}

// Charge records n events for acct today, refusing if that would exceed
// the daily limit.
func (q *Quota) Charge(ctx context.Context, acct ids.AccountID, n int) error {
	lim, err := q.Limits(ctx, acct)
	if err != nil {
		return err
	}
	key := q.usageKey(acct, q.now())
	used := 0
	b, err := q.store.Get(ctx, key)
	switch {
	case err == nil:
		used, _ = strconv.Atoi(string(b))
	case !errors.Is(err, kvstore.ErrNotFound):
		return err
	}
	if used+n > lim.EventsPerDay {
		return fmt.Errorf("%w (%d of %d)", ErrOverQuota, used, lim.EventsPerDay)
	}
	return q.store.Put(ctx, key, []byte(strconv.Itoa(used+n)), kvstore.PutOptions{TTL: 48 * time.Hour}) // EXPECT kvcounter
}
