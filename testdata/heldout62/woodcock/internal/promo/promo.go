// Package promo runs the promo-code backend as three AWS Lambda functions: an
// SQS consumer that applies redemptions, an API Gateway API for the apps and
// the partner portal, and a scheduled sweeper.
package promo

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/fleetbite/woodcock/internal/kvstore"
)

// Promo is one promo code.
type Promo struct {
	Code         string    `json:"code"`
	RestaurantID string    `json:"restaurantId,omitempty"`
	Headline     string    `json:"headline"`
	PercentOff   int       `json:"percentOff,omitempty"`
	FlatOffCents int       `json:"flatOffCents,omitempty"`
	MaxUses      int       `json:"maxUses"`
	Used         int       `json:"used"`
	StartsAt     time.Time `json:"startsAt"`
	EndsAt       time.Time `json:"endsAt"`
}

// Redemption is the SQS message the order service sends at checkout.
type Redemption struct {
	Code       string `json:"code"`
	CustomerID string `json:"customerId"`
	OrderID    string `json:"orderId"`
}

const codePrefix = "promo:code:"

func promoKey(code string) string { return codePrefix + strings.ToUpper(strings.TrimSpace(code)) }

// load reads one promo record.
func load(ctx context.Context, ns *kvstore.Namespace, code string) (*Promo, error) {
	raw, err := ns.Get(ctx, promoKey(code))
	if err != nil {
		return nil, err
	}
	var p Promo
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// standardBannerTerms is shown under every restaurant banner.
const standardBannerTerms = "Offer valid for delivery orders placed through the FleetBite app or website at participating restaurants only, while supplies last. " +
	"One redemption per customer account, payment method and delivery address. Cannot be combined with other promo codes, FleetBite Plus " +
	"benefits, loyalty rewards or restaurant-funded discounts unless the offer explicitly says so. The discount applies to the food subtotal " +
	"before taxes, delivery fees, service fees, small-order fees and tips, and is capped at the amount shown on the banner. Minimum order " +
	"value applies and is shown at checkout. Orders that are cancelled, refunded or reported as not delivered forfeit the discount and the " +
	"code will not be reinstated. FleetBite may end, change or suspend this offer at any time without notice, and may refuse or reverse " +
	"redemptions it believes are fraudulent, automated or in breach of these terms or the FleetBite Terms of Service. Not valid on alcohol, " +
	"tobacco, gift cards, grocery items or catering orders. Void where prohibited. Promo codes have no cash value, are not transferable and " +
	"may not be sold or published on coupon sites. See fleetbite.example/terms/promos for full terms and the list of participating restaurants."
