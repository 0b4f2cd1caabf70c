package wallet

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/ember/internal/keys"
	"example.com/ember/internal/kvstore"
)

func cloudflareString(s string) shared.UnionString { return shared.UnionString(s) }

var (
	// ErrCouponUnknown is returned for codes that do not exist or expired.
	ErrCouponUnknown = errors.New("wallet: unknown coupon")
	// ErrCouponUsed is returned when the rider already redeemed the coupon
	// or it ran out of uses.
	ErrCouponUsed = errors.New("wallet: coupon already used")
)

// Coupon is a promo code definition.
type Coupon struct {
	Code        string    `json:"code"`
	PercentOff  int       `json:"percent_off"`
	MaxUses     int       `json:"max_uses"`
	Redemptions int       `json:"redemptions"`
	Riders      []string  `json:"riders"`
	City        string    `json:"city"`
	ValidUntil  time.Time `json:"valid_until"`
}

// promoTerms is shown on the coupon sheet in the app. Legal asked that the
// full text travel with every coupon.
const promoTerms = "Promotional codes are issued by Ember Mobility and may be redeemed once per rider account " +
	"unless stated otherwise. Discounts apply to the unlock fee and per-minute charges of a single ride started " +
	"within the validity period shown in the app, in the city for which the code was issued. Codes cannot be " +
	"exchanged for cash, transferred between accounts, combined with other promotions, subscriptions or " +
	"corporate billing, or applied retroactively to rides that have already ended. Parking fines, damage fees, " +
	"out-of-zone recovery charges and taxes are excluded from any discount. Ember may suspend or cancel a code " +
	"at any time if it suspects abuse, including the creation of multiple accounts, automated redemption, resale " +
	"of codes or riding in breach of the rider terms. Where a ride is refunded, the discount is not reinstated. " +
	"Riders must be at least 18 years old, hold a valid payment method and accept the current rider terms and " +
	"privacy notice before redeeming a code. Local rules on helmet use, pavement riding and speed limits apply " +
	"in full. These terms are governed by the law of the country in which the ride takes place and do not affect " +
	"your statutory rights as a consumer. Questions about a promotion can be sent to support through the app."

// PublishCoupon stores c until its validity ends.
func (s *Service) PublishCoupon(ctx context.Context, c Coupon) error {
	c.Code = strings.ToUpper(c.Code)
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return s.store.Put(ctx, keys.CouponKey{Code: c.Code}.String(), b, kvstore.ExpiresAt(c.ValidUntil.Unix()), kvstore.WithMetadata(map[string]string{"terms": promoTerms})) // EXPECT kvlimits
}

// PublishCampaign stores a batch of single-use coupons generated for a
// marketing campaign, one key per code.
func (s *Service) PublishCampaign(ctx context.Context, coupons []Coupon) error {
	for _, c := range coupons {
		b, err := json.Marshal(c)
		if err != nil {
			return err
		}
		if err := s.store.Put(ctx, keys.CouponKey{Code: c.Code}.String(), b, kvstore.ExpiresAt(c.ValidUntil.Unix())); err != nil {
			return err
		}
	}
	return nil
}

// Coupon returns the definition of code.
func (s *Service) Coupon(ctx context.Context, code string) (Coupon, error) {
	raw, err := s.store.Get(ctx, keys.CouponKey{Code: code}.String())
	if errors.Is(err, kvstore.ErrNotFound) {
		return Coupon{}, ErrCouponUnknown
	}
	if err != nil {
		return Coupon{}, err
	}
	var c Coupon
	return c, json.Unmarshal(raw, &c)
}

// RedeemCoupon marks code as used by rider and returns the discount.
func (s *Service) RedeemCoupon(ctx context.Context, code, rider string) (int, error) {
	c, err := s.Coupon(ctx, code)
	if err != nil {
		return 0, err
	}
	if s.clock.Now().After(c.ValidUntil) {
		return 0, ErrCouponUnknown
	}
	if slices.Contains(c.Riders, rider) || (c.MaxUses > 0 && c.Redemptions >= c.MaxUses) {
		return 0, ErrCouponUsed
	}
	c.Redemptions++
	c.Riders = append(c.Riders, rider)
	b, err := json.Marshal(c)
	if err != nil {
		return 0, err
	}
	if err := s.store.Put(ctx, keys.CouponKey{Code: c.Code}.String(), b, kvstore.ExpiresAt(c.ValidUntil.Unix())); err != nil { // DEBATABLE kvcounter
		return 0, err
	}
	return c.PercentOff, nil
}
