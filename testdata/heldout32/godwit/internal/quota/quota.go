// Package quota enforces per-account send limits and throttles the public
// signup form.
package quota

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"godwit/internal/cache"
	"godwit/internal/keys"
	"godwit/internal/kvstore"
	"godwit/internal/retry"
)

// ErrExceeded is returned when a send would go over the account's daily cap.
var ErrExceeded = errors.New("daily send quota exceeded")

// Caps are the limits of a plan.
type Caps struct {
	Daily       int `json:"daily"`
	Monthly     int `json:"monthly"`
	SignupPerIP int `json:"signup_per_ip"`
}

// PlanSource reads plans from the billing database.
type PlanSource interface {
	PlanCaps(ctx context.Context, plan string) (Caps, error)
}

// Service tracks usage against caps.
type Service struct {
	store kvstore.Store
	plans *cache.Loader[string, Caps]
	now   func() time.Time
}

// New returns a Service. Plan caps are cached in KV for ten minutes.
func New(store kvstore.Store, db PlanSource) *Service {
	return &Service{
		store: store,
		plans: &cache.Loader[string, Caps]{
			Store: store,
			Key:   func(plan string) string { return keys.Build(keys.PlanCaps, plan) },
			Fetch: db.PlanCaps,
			TTL:   10 * time.Minute,
		},
		now: time.Now,
	}
}

func (s *Service) caps(ctx context.Context, account, plan string) (Caps, error) {
	c, err := s.plans.Get(ctx, plan)
	if err != nil {
		return c, err
	}
	raw, _ := s.store.Get(ctx, keys.Build(keys.AccountCaps, account)) // EXPECT kvnull
	var ov Caps
	_ = json.Unmarshal(raw, &ov)
	if ov.Daily > 0 {
		c.Daily = ov.Daily
	}
	if ov.Monthly > 0 {
		c.Monthly = ov.Monthly
	}
	return c, nil
}

func (s *Service) dayKey(account string) (kvstore.Store, string) {
	st := kvstore.Tenant{Store: s.store, Prefix: "acct/" + account + "/"}
	return st, keys.Build(keys.SendQuota, s.now().UTC().Format(time.DateOnly))
}

// Consume books n sends for today, or fails with ErrExceeded.
func (s *Service) Consume(ctx context.Context, account, plan string, n int) error {
	c, err := s.caps(ctx, account, plan)
	if err != nil {
		return err
	}
	st, key := s.dayKey(account)
	raw, err := st.Get(ctx, key)
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	used := 0
	if raw != nil {
		if used, err = strconv.Atoi(string(raw)); err != nil {
			return fmt.Errorf("quota %s: %w", key, err)
		}
	}
	if used+n > c.Daily {
		return ErrExceeded
	}
	return st.Put(ctx, key, []byte(strconv.Itoa(used+n)), kvstore.PutOptions{TTL: keys.TTL(keys.SendQuota)}) // EXPECT kvcounter
}

// Remaining reports how many sends are left today.
func (s *Service) Remaining(ctx context.Context, account, plan string) (int, error) {
	c, err := s.caps(ctx, account, plan)
	if err != nil {
		return 0, err
	}
	st, key := s.dayKey(account)
	raw, err := st.Get(ctx, key)
	if errors.Is(err, kvstore.ErrNotFound) {
		return c.Daily, nil
	}
	if err != nil {
		return 0, err
	}
	used, err := strconv.Atoi(string(raw))
	if err != nil {
		return 0, err
	}
	return max(c.Daily-used, 0), nil
}

// AllowSignup throttles the hosted signup form per client IP.
func (s *Service) AllowSignup(ctx context.Context, ip string, limit int) (bool, error) {
	key := keys.Build(keys.SignupRate, ip)
	allowed := true
	err := retry.Do(ctx, retry.Default, func(ctx context.Context) error {
		n := 0
		raw, err := s.store.Get(ctx, key)
		switch {
		case errors.Is(err, kvstore.ErrNotFound):
		case err != nil:
			return err
		default:
			n, _ = strconv.Atoi(string(raw))
		}
		if n >= limit {
			allowed = false
			return nil
		}
		return s.store.Put(ctx, key, []byte(strconv.Itoa(n+1)), kvstore.PutOptions{TTL: keys.TTL(keys.SignupRate)}) // EXPECT kvcounter
	})
	return allowed, err
}

// SetOverride stores account-specific caps that win over the plan's.
func (s *Service) SetOverride(ctx context.Context, account string, c Caps) error {
	raw, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return s.store.Put(ctx, keys.Build(keys.AccountCaps, account), raw, kvstore.PutOptions{})
}

// PlanChanged drops the cached caps of a plan after billing edited it.
func (s *Service) PlanChanged(ctx context.Context, plan string) error {
	return s.plans.Forget(ctx, plan)
}
