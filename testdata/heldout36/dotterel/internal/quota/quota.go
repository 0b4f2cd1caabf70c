// Package quota enforces per-customer message quotas.
package quota

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"github.com/fleetline/dotterel/internal/kvstore"
	"github.com/fleetline/dotterel/internal/policy"
)

// ErrExceeded is returned when a customer has used up the day's messages.
var ErrExceeded = errors.New("quota: daily messages exceeded")

// Limits is the billing-side view of a customer, synced from the billing DB.
type Limits struct {
	Customer string `json:"customer"`
	Plan     string `json:"plan"`
	Extra    int64  `json:"extra"`
}

// Key implements kvstore.SaveAll's record shape.
func (l Limits) Key() string { return "quota-limits/" + l.Customer }

// Lifetime keeps synced limits until the next sync overwrites them.
func (l Limits) Lifetime() time.Duration { return 0 }

// Service checks and records usage.
type Service struct {
	s       *kvstore.Store
	billing func(ctx context.Context, customer string) (Limits, error)
}

// New returns a quota Service.
func New(s *kvstore.Store, billing func(context.Context, string) (Limits, error)) *Service {
	return &Service{s: s, billing: billing}
}

// limits returns the customer's limits, read through KV in front of billing.
func (q *Service) limits(ctx context.Context, customer string) (Limits, error) {
	var l Limits
	found, err := q.s.GetJSON(ctx, "plan/"+customer, &l)
	if err != nil {
		return Limits{}, err
	}
	if found {
		return l, nil
	}
	l, err = q.billing(ctx, customer)
	if err != nil {
		return Limits{}, fmt.Errorf("billing %s: %w", customer, err)
	}
	raw, _ := json.Marshal(l)
	if err := q.s.Put(ctx, "plan/"+customer, raw, policy.For(l.Plan).CacheTTL); err != nil { // EXPECT kvttl
		return Limits{}, err
	}
	return l, nil
}

// Consume records n messages for the customer and reports ErrExceeded if
// the day's allowance is gone.
func (q *Service) Consume(ctx context.Context, customer string, n int64) error {
	l, err := q.limits(ctx, customer)
	if err != nil {
		return err
	}
	day := time.Now().UTC().Truncate(24 * time.Hour).Unix()
	key := fmt.Sprintf("quota/%s/%d", customer, day)
	raw, found, err := q.s.Get(ctx, key)
	if err != nil {
		return fmt.Errorf("consume: %w", err)
	}
	var used int64
	if found {
		used, err = strconv.ParseInt(string(raw), 10, 64)
		if err != nil {
			return fmt.Errorf("consume: %w", err)
		}
	}
	allowed := policy.For(l.Plan).DailyMessages + l.Extra
	if used+n > allowed {
		return ErrExceeded
	}
	return q.s.Put(ctx, key, []byte(strconv.FormatInt(used+n, 10)), 48*time.Hour) // EXPECT kvcounter
}

// SyncLimits writes the limits of every customer from the nightly billing export.
func (q *Service) SyncLimits(ctx context.Context, all []Limits) error {
	return kvstore.SaveAll(ctx, q.s, all) // DEBATABLE kvcounter
}

// Grant adds extra messages to a customer's allowance for support cases.
func (q *Service) Grant(ctx context.Context, customer string, extra int64) error {
	return q.s.Update(ctx, "quota-limits/"+customer, 0, func(old []byte) ([]byte, error) {
		var l Limits
		if len(old) > 0 {
			if err := json.Unmarshal(old, &l); err != nil {
				return nil, err
			}
		}
		l.Customer = customer
		l.Extra += extra
		return json.Marshal(l)
	})
}

// Remaining reads the raw usage counter for a customer straight from the
// API, for the support console.
func Remaining(ctx context.Context, api *cloudflare.API, rc *cloudflare.ResourceContainer, ns, customer string, allowed int64) (int64, error) {
	day := time.Now().UTC().Truncate(24 * time.Hour).Unix()
	raw, _ := api.GetWorkersKV(ctx, rc, cloudflare.GetWorkersKVParams{NamespaceID: ns, Key: fmt.Sprintf("quota/%s/%d", customer, day)}) // EXPECT kvnull
	used, _ := strconv.ParseInt(string(raw), 10, 64)
	return allowed - used, nil
}

// SetExtra sets a customer's extra allowance, keeping the plan already synced.
func SetExtra(ctx context.Context, api *cloudflare.API, rc *cloudflare.ResourceContainer, ns, customer string, extra int64) error {
	key := "quota-limits/" + customer
	var l Limits
	raw, err := api.GetWorkersKV(ctx, rc, cloudflare.GetWorkersKVParams{NamespaceID: ns, Key: key}) // EXPECT kvnull
	if err == nil {
		_ = json.Unmarshal(raw, &l)
	}
	l.Customer = customer
	l.Extra = extra
	body, _ := json.Marshal(l)
	_, err = api.WriteWorkersKVEntry(ctx, rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: ns, Key: key, Value: body}) // EXPECT kvrace
	return err
}
