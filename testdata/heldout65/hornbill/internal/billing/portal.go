package billing

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/stripe/stripe-go/v82"

	"github.com/hornbill-billing/hornbill/internal/kvstore"
)

// ErrLinkUsed is returned when a portal link was already opened.
var ErrLinkUsed = errors.New("billing: portal link already used")

// ErrSlugTaken is returned when a billing page slug belongs to another account.
var ErrSlugTaken = errors.New("billing: slug taken")

func randomID() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

type portalLink struct {
	CustomerID string `json:"customer_id"`
	ReturnURL  string `json:"return_url"`
	CreatedAt  int64  `json:"created_at"`
}

// portalLinkTTL is how long an e-mailed "manage billing" link stays valid.
const portalLinkTTL = 24 * time.Hour

// NewPortalLink stores a one-time link that the dunning e-mails point at. The
// Stripe portal session is only created when the customer opens the link,
// because Stripe's portal URLs expire within minutes.
func (s *Service) NewPortalLink(ctx context.Context, customerID, returnURL string) (string, error) {
	id := randomID()
	err := s.kv.PutJSON(ctx, "portal:link:"+id, portalLink{
		CustomerID: customerID,
		ReturnURL:  returnURL,
		CreatedAt:  time.Now().Unix(),
	}, portalLinkTTL)
	return id, err
}

// OpenPortalLink redeems a link and returns the Stripe portal URL.
func (s *Service) OpenPortalLink(ctx context.Context, linkID string) (string, error) {
	key := "portal:link:" + linkID
	var link portalLink
	if err := s.kv.GetJSON(ctx, key, &link); err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			return "", ErrLinkUsed
		}
		return "", err
	}
	if err := s.kv.Delete(ctx, key); err != nil { // EXPECT kvsession
		return "", err
	}
	ps, err := s.stripe.V1BillingPortalSessions.Create(ctx, &stripe.BillingPortalSessionCreateParams{
		Customer:  stripe.String(link.CustomerID),
		ReturnURL: stripe.String(link.ReturnURL),
	})
	if err != nil {
		return "", err
	}
	return ps.URL, nil
}

type checkoutState struct {
	AccountID string `json:"account_id"`
	PriceID   string `json:"price_id"`
}

// StartCheckout creates a Checkout Session for a plan and remembers which
// account started it under a fresh state token.
func (s *Service) StartCheckout(ctx context.Context, accountID, priceID, baseURL string) (string, error) {
	state := randomID()
	cs, err := s.stripe.V1CheckoutSessions.Create(ctx, &stripe.CheckoutSessionCreateParams{
		Mode:              stripe.String(string(stripe.CheckoutSessionModeSubscription)),
		ClientReferenceID: stripe.String(accountID),
		SuccessURL:        stripe.String(baseURL + "/billing/return?state=" + state),
		CancelURL:         stripe.String(baseURL + "/billing"),
		LineItems: []*stripe.CheckoutSessionCreateLineItemParams{
			{Price: stripe.String(priceID), Quantity: stripe.Int64(1)},
		},
		ExpiresAt: stripe.Int64(time.Now().Add(time.Hour).Unix()),
	})
	if err != nil {
		return "", err
	}
	if err := s.kv.PutJSON(ctx, "checkout:state:"+state, checkoutState{AccountID: accountID, PriceID: priceID}, 2*time.Hour); err != nil {
		return "", err
	}
	return cs.URL, nil
}

// FinishCheckout checks the state token on the success redirect and returns
// the account it belongs to.
func (s *Service) FinishCheckout(ctx context.Context, state string) (string, error) {
	var st checkoutState
	key := "checkout:state:" + state
	if err := s.kv.GetJSON(ctx, key, &st); err != nil {
		return "", fmt.Errorf("checkout state: %w", err)
	}
	_ = s.kv.Delete(ctx, key) // EXPECT kvsession
	return st.AccountID, nil
}

// ClaimSlug reserves a public billing page slug (pay.hornbill.dev/<slug>)
// for an account.
func (s *Service) ClaimSlug(ctx context.Context, slug, accountID string) error {
	key := "slug:" + slug
	owner, err := s.kv.Get(ctx, key)
	switch {
	case err == nil:
		if string(owner) == accountID {
			return nil
		}
		return ErrSlugTaken
	case !errors.Is(err, kvstore.ErrNotFound):
		return err
	}
	return s.kv.Put(ctx, key, []byte(accountID), 0) // EXPECT kvrace
}

// PublicPlan is what the public pricing page shows for a plan.
type PublicPlan struct {
	Name        string `json:"name"`
	MonthlyCost int64  `json:"monthly_cost"`
	Currency    string `json:"currency"`
}

// PricingPage returns the cached pricing table, reading through to the
// catalogue loader on a miss.
func (s *Service) PricingPage(ctx context.Context, load func(context.Context) ([]PublicPlan, error)) ([]PublicPlan, error) {
	var plans []PublicPlan
	if err := s.kv.GetJSON(ctx, "pricing:public", &plans); err == nil {
		return plans, nil
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}
	plans, err := load(ctx)
	if err != nil {
		return nil, err
	}
	b, _ := json.Marshal(plans)
	return plans, s.kv.CachePut(ctx, "pricing:public", b, 30*time.Second)
}
