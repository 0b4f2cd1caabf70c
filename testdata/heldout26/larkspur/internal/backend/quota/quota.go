// Package quota enforces per-sender send limits and keeps the month-to-date
// usage shown on the billing page.
package quota

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"example.com/larkspur/internal/domain"
	"example.com/larkspur/internal/keys"
	"example.com/larkspur/internal/kvstore"
)

// Store is the storage port of the package.
type Store = kvstore.Store

// ErrExceeded is returned when a send would go over the sender's limit.
var ErrExceeded = errors.New("quota: send limit reached for this window")

// Billing tells which plan a sender is on. It is the source of truth and
// is slow, so answers are cached in KV.
type Billing interface {
	PlanOf(ctx context.Context, senderID string) (domain.Plan, error)
}

// Service reserves sends against a sender's plan.
type Service struct {
	st      Store
	ks      keys.Space
	billing Billing
	planTTL time.Duration
}

// New returns a Service. planCacheSeconds is how long plan lookups are
// cached; it is never shorter than a minute.
func New(st Store, ks keys.Space, b Billing, planCacheSeconds int) *Service {
	return &Service{st: st, ks: ks, billing: b, planTTL: time.Duration(max(planCacheSeconds, 60)) * time.Second}
}

// plan returns the sender's plan, from KV when cached, otherwise from
// billing, caching the answer.
func (s *Service) plan(ctx context.Context, senderID string) (domain.Plan, error) {
	key := s.ks.Prefix() + "plan:" + senderID
	b, err := s.st.Get(ctx, key)
	if err == nil {
		return domain.ParsePlan(string(b))
	}
	if !kvstore.IsNotFound(err) {
		return domain.PlanFree, err
	}
	p, err := s.billing.PlanOf(ctx, senderID)
	if err != nil {
		return domain.PlanFree, err
	}
	if err := s.st.Put(ctx, key, []byte(p.String()), kvstore.WithTTL(s.planTTL)); err != nil {
		return domain.PlanFree, err
	}
	return p, nil
}

// window names the quota window containing t for a plan.
func window(t time.Time, p domain.Plan) string {
	return strconv.FormatInt(t.UTC().Truncate(p.Window()).Unix(), 10)
}

// Reserve books n sends for a sender or returns ErrExceeded.
func (s *Service) Reserve(ctx context.Context, senderID string, n int) error {
	p, err := s.plan(ctx, senderID)
	if err != nil {
		return err
	}
	key := s.ks.Quota(senderID, window(time.Now(), p))
	used := 0
	b, err := s.st.Get(ctx, key)
	switch {
	case err == nil:
		if used, err = strconv.Atoi(string(b)); err != nil {
			return fmt.Errorf("quota: corrupt counter %s: %w", key, err)
		}
	case !kvstore.IsNotFound(err):
		return err
	}
	if used+n > p.SendLimit() {
		return ErrExceeded
	}
	return s.st.Put(ctx, key, []byte(strconv.Itoa(used+n)), kvstore.WithTTL(p.Window()+time.Hour)) // EXPECT kvcounter
}

// Record adds n sends to the sender's month-to-date usage.
func (s *Service) Record(ctx context.Context, senderID string, n int) error {
	month := time.Now().UTC().Format("2006-01")
	key := s.ks.Usage(senderID, month)
	u, err := kvstore.Load[domain.QuotaUsage](ctx, s.st, key)
	if err != nil && !kvstore.IsNotFound(err) {
		return err
	}
	usage := domain.NewQuotaUsage(key, senderID, month)
	usage.Sent = u.Sent + n
	return kvstore.Save(ctx, s.st, usage) // EXPECT kvcounter
}

// Remaining reports how many sends are left in the current window.
func (s *Service) Remaining(ctx context.Context, senderID string) (int, domain.Plan, error) {
	p, err := s.plan(ctx, senderID)
	if err != nil {
		return 0, p, err
	}
	b, err := s.st.Get(ctx, s.ks.Quota(senderID, window(time.Now(), p)))
	if kvstore.IsNotFound(err) {
		return p.SendLimit(), p, nil
	}
	if err != nil {
		return 0, p, err
	}
	used, err := strconv.Atoi(string(b))
	if err != nil {
		return 0, p, err
	}
	return max(p.SendLimit()-used, 0), p, nil
}
