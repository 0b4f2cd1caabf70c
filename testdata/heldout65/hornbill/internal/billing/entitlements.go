package billing

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/stripe/stripe-go/v82"

	"github.com/hornbill-billing/hornbill/internal/kvstore"
)

// Entitlements is the projection of a customer's subscription that the edge
// Worker and the bots read on every request.
type Entitlements struct {
	CustomerID string          `json:"customer_id"`
	Plan       string          `json:"plan"`
	Status     string          `json:"status"`
	Features   map[string]bool `json:"features"`
	Seats      int64           `json:"seats"`
	PeriodEnd  int64           `json:"period_end"`
	UpdatedAt  int64           `json:"updated_at"`
}

// planFeatures maps a Stripe price lookup key to the features it grants.
var planFeatures = map[string][]string{
	"starter_monthly": {"invoices", "portal"},
	"growth_monthly":  {"invoices", "portal", "metered", "dunning"},
	"scale_yearly":    {"invoices", "portal", "metered", "dunning", "sso", "audit"},
}

// entitlementCacheTTL bounds how long a read-through entry lives when no
// webhook refreshes it.
const entitlementCacheTTL = 15 * time.Minute

func fromSubscription(sub *stripe.Subscription) Entitlements {
	e := Entitlements{
		Status:    string(sub.Status),
		Features:  map[string]bool{},
		UpdatedAt: time.Now().Unix(),
	}
	if sub.Customer != nil {
		e.CustomerID = sub.Customer.ID
	}
	if sub.Items == nil {
		return e
	}
	for _, it := range sub.Items.Data {
		if it.Price != nil {
			e.Plan = it.Price.LookupKey
			for _, f := range planFeatures[it.Price.LookupKey] {
				e.Features[f] = true
			}
		}
		e.Seats += it.Quantity
		e.PeriodEnd = max(e.PeriodEnd, it.CurrentPeriodEnd)
	}
	return e
}

// onSubscriptionChanged rewrites the projection from the event payload. The
// entry lives until the end of the paid period.
func (s *Service) onSubscriptionChanged(ctx context.Context, ev stripe.Event) error {
	var sub stripe.Subscription
	if err := json.Unmarshal(ev.Data.Raw, &sub); err != nil {
		return errf("decode subscription %s: %w", ev.ID, err)
	}
	ent := fromSubscription(&sub)
	if ent.CustomerID == "" {
		return errf("subscription %s has no customer", sub.ID)
	}
	periodEnd := time.Unix(ent.PeriodEnd, 0)
	return s.kv.PutJSON(ctx, entitlementKey(ent.CustomerID), ent,
		time.Until(periodEnd)) // EXPECT kvttl
}

// onSubscriptionDeleted drops the cached projection; the next read rebuilds
// it from Stripe.
func (s *Service) onSubscriptionDeleted(ctx context.Context, ev stripe.Event) error {
	cust := eventCustomer(ev)
	if cust == "" {
		return nil
	}
	return s.kv.Delete(ctx, entitlementKey(cust))
}

// Entitlements returns the customer's entitlements, reading through KV to the
// Stripe API on a miss.
func (s *Service) Entitlements(ctx context.Context, customerID string) (Entitlements, error) {
	var ent Entitlements
	err := s.kv.GetJSON(ctx, entitlementKey(customerID), &ent)
	if err == nil {
		return ent, nil
	}
	if !errors.Is(err, kvstore.ErrNotFound) {
		return ent, err
	}
	params := &stripe.SubscriptionListParams{Customer: stripe.String(customerID), Status: stripe.String("active")}
	for sub, err := range s.stripe.V1Subscriptions.List(ctx, params) {
		if err != nil {
			return ent, err
		}
		ent = fromSubscription(sub)
		break
	}
	ent.CustomerID = customerID
	ttl := entitlementCacheTTL
	if ent.PeriodEnd > 0 {
		ttl = max(min(time.Until(time.Unix(ent.PeriodEnd, 0)), ttl), time.Minute)
	}
	if err := s.kv.PutJSON(ctx, entitlementKey(customerID), ent, ttl); err != nil {
		s.log.Warn("cache entitlements", "customer", customerID, "err", err)
	}
	return ent, nil
}

// onCheckoutCompleted links the hornbill account named in the session's
// client reference to the new Stripe customer.
func (s *Service) onCheckoutCompleted(ctx context.Context, ev stripe.Event) error {
	var cs stripe.CheckoutSession
	if err := json.Unmarshal(ev.Data.Raw, &cs); err != nil {
		return errf("decode checkout session: %w", err)
	}
	if cs.ClientReferenceID == "" || cs.Customer == nil {
		return nil
	}
	if err := s.kv.Put(ctx, "acct:"+cs.ClientReferenceID+":customer", []byte(cs.Customer.ID), 0); err != nil {
		return err
	}
	return s.kv.AppendID(ctx, "customer:"+cs.Customer.ID+":checkouts", cs.ID, 50)
}
