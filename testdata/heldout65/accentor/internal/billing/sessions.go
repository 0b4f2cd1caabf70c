package billing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/stripe/stripe-go/v82"
	portalsession "github.com/stripe/stripe-go/v82/billingportal/session"
	checkoutsession "github.com/stripe/stripe-go/v82/checkout/session"

	"github.com/accentor/accentor/internal/kvstore"
)

func valueGetParams(accountID string) kv.NamespaceValueGetParams {
	return kv.NamespaceValueGetParams{AccountID: cloudflare.F(accountID)}
}

// Cart is a guild admin's pending add-on selection before checkout,
// cart:<guild>:<user>.
type Cart struct {
	GuildID string         `json:"guild"`
	UserID  string         `json:"user"`
	Items   map[string]int `json:"items"`
	Updated time.Time      `json:"updated"`
}

type cartRequest struct {
	GuildID string `json:"guild_id"`
	UserID  string `json:"user_id"`
	Price   string `json:"price"`
	Qty     int    `json:"qty"`
}

// handleCart adds or removes an add-on in the admin's cart.
func (s *Service) handleCart(w http.ResponseWriter, r *http.Request) {
	var req cartRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.GuildID == "" || req.UserID == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	key := "cart:" + req.GuildID + ":" + req.UserID
	var cart Cart
	if err := s.ns.GetJSON(r.Context(), key, &cart); err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	if cart.Items == nil {
		cart = Cart{GuildID: req.GuildID, UserID: req.UserID, Items: map[string]int{}}
	}
	if req.Qty <= 0 {
		delete(cart.Items, req.Price)
	} else {
		cart.Items[req.Price] = req.Qty
	}
	cart.Updated = time.Now().UTC()
	if err := s.ns.PutJSON(r.Context(), key, cart, 7*24*time.Hour); err != nil { // EXPECT kvsession|kvrace
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	_ = json.NewEncoder(w).Encode(cart)
}

// handleCheckout turns the cart into a Stripe Checkout Session.
func (s *Service) handleCheckout(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	guildID, userID, customerID := r.FormValue("guild_id"), r.FormValue("user_id"), r.FormValue("customer")
	var cart Cart
	if err := s.ns.GetJSON(ctx, "cart:"+guildID+":"+userID, &cart); err != nil {
		http.Error(w, "your cart is empty", http.StatusBadRequest)
		return
	}
	pendingKey := "checkout:pending:" + guildID
	params := &stripe.CheckoutSessionParams{
		Mode:              stripe.String(string(stripe.CheckoutSessionModePayment)),
		ClientReferenceID: stripe.String(guildID),
		SuccessURL:        stripe.String(s.publicURL + "/billing/done"),
		CancelURL:         stripe.String(s.publicURL + "/billing/cancelled"),
	}
	if customerID != "" {
		params.Customer = stripe.String(customerID)
	}
	for price, qty := range cart.Items {
		params.LineItems = append(params.LineItems, &stripe.CheckoutSessionLineItemParams{
			Price:    stripe.String(price),
			Quantity: stripe.Int64(int64(qty)),
		})
		params.AddMetadata("addon", price)
	}
	cs, err := checkoutsession.New(params)
	if err != nil {
		http.Error(w, "stripe unavailable", http.StatusBadGateway)
		return
	}
	if err := s.ns.PutUntil(ctx, pendingKey, []byte(cs.ID), time.Now().Add(30*time.Second)); err != nil { // EXPECT kvttl
		s.log.Warn("pending checkout marker", "err", err)
	}
	http.Redirect(w, r, cs.URL, http.StatusSeeOther)
}

// handlePortal returns a customer-portal URL, reusing a recent one so that
// double clicks don't mint two portal sessions.
func (s *Service) handlePortal(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	customerID := r.FormValue("customer")
	if customerID == "" {
		http.Error(w, "missing customer", http.StatusBadRequest)
		return
	}
	key := "portal:" + customerID
	if raw, err := s.ns.Get(ctx, key); err == nil {
		http.Redirect(w, r, string(raw), http.StatusSeeOther)
		return
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		s.log.Warn("portal cache", "err", err)
	}
	ps, err := portalsession.New(&stripe.BillingPortalSessionParams{
		Customer:  stripe.String(customerID),
		ReturnURL: stripe.String(s.publicURL + "/dashboard"),
	})
	if err != nil {
		http.Error(w, "stripe unavailable", http.StatusBadGateway)
		return
	}
	if err := s.ns.Put(ctx, key, []byte(ps.URL),
		getenvDuration("PORTAL_URL_CACHE", 4*time.Minute), // DEBATABLE kvttl
	); err != nil {
		s.log.Warn("cache portal url", "err", err)
	}
	http.Redirect(w, r, ps.URL, http.StatusSeeOther)
}

// handleUsage meters premium features (e.g. analytics exports) per customer
// per month; the monthly total is reported to Stripe by the invoicing job.
func (s *Service) handleUsage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	customerID := r.FormValue("customer")
	qty, err := strconv.Atoi(r.FormValue("quantity"))
	if err != nil || qty <= 0 || customerID == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	total, err := s.addUsage(ctx, customerID, qty)
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	fmt.Fprintf(w, `{"customer":%q,"month_total":%d}`, customerID, total)
}

func (s *Service) addUsage(ctx context.Context, customerID string, qty int) (int64, error) {
	key := "usage:" + customerID + ":" + time.Now().UTC().Format("2006-01")
	var total int64
	raw, err := s.ns.Get(ctx, key)
	if err == nil {
		total, err = strconv.ParseInt(string(raw), 10, 64)
		if err != nil {
			return 0, err
		}
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return 0, err
	}
	total += int64(qty)
	return total, s.ns.Put(ctx, key, []byte(strconv.FormatInt(total, 10)), 62*24*time.Hour) // EXPECT kvcounter|kvrace
}

// planTerms is shown next to each plan on the pricing page; the Worker
// reads it from key metadata when listing plans.
const planTerms = "Plans renew monthly on the day you subscribed. Upgrades take effect immediately and are prorated " +
	"to the day; downgrades take effect at the end of the current billing period and unused time is not refunded. " +
	"Premium features (custom leaderboards, unlimited reaction roles, the Slack bridge and analytics exports) remain " +
	"available until the period ends after a cancellation. Analytics exports are metered: the first 100 exports each " +
	"month are included and further exports are billed per export on the next invoice. Guild ownership transfers do " +
	"not transfer a subscription; the new owner must subscribe separately and the previous owner may cancel at any " +
	"time from the customer portal. Refunds for annual plans are available within fourteen days of purchase when no " +
	"premium feature has been used. Taxes are calculated at checkout based on the billing address you provide. If a " +
	"payment fails we retry three times over seven days and notify the guild owner by direct message before premium " +
	"features are paused. Paused guilds keep their data for ninety days, after which leaderboards and reaction role " +
	"bindings beyond the free tier limits are removed. Questions: open a ticket in the support server."

// PublishPlans writes the public plan catalog for the edge pricing page.
func (s *Service) PublishPlans(ctx context.Context) error {
	for plan, features := range planFeatures {
		body, err := json.Marshal(features)
		if err != nil {
			return err
		}
		meta := map[string]any{"plan": plan, "terms": planTerms} // EXPECT kvlimits
		if err := s.ns.PutWithMeta(ctx, "plan:"+plan, body, meta, 0); err != nil {
			return err
		}
	}
	return nil
}

// SeedLaunchCodes writes the launch-week promo codes in one bulk request.
func (s *Service) SeedLaunchCodes(ctx context.Context, batch string) error {
	const codes = 12_000
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, codes)
	for n := range codes {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F(fmt.Sprintf("promo:%s:%05d", batch, n)),
			Value:         cloudflare.F(`{"percent_off":20}`),
			ExpirationTTL: cloudflare.F(float64(14 * 24 * 3600)),
		})
	}
	_, err := s.ns.Client().KV.Namespaces.BulkUpdate(ctx, s.ns.ID(), kv.NamespaceBulkUpdateParams{ // EXPECT kvlimits
		AccountID: cloudflare.F(s.ns.Account()),
		Body:      body,
	})
	return err
}
