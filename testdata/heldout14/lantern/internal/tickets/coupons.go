package tickets

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"example.com/lantern/internal/store"
)

var (
	ErrNoCoupon        = errors.New("tickets: unknown coupon")
	ErrCouponExhausted = errors.New("tickets: coupon fully used")
	ErrCouponExpired   = errors.New("tickets: coupon expired")
)

// Coupon is a discount code with a usage cap.
type Coupon struct {
	Code       string    `json:"code"`
	PercentOff int       `json:"percent_off"`
	MaxUses    int       `json:"max_uses"`
	Uses       int       `json:"uses"`
	ExpiresAt  time.Time `json:"expires_at"`
}

// Apply returns the discounted price.
func (c Coupon) Apply(cents int) int {
	return cents - cents*c.PercentOff/100
}

// CouponBook stores coupons and their redemptions.
type CouponBook struct {
	Store store.Store
	Clock func() time.Time
}

func couponKey(code string) string { return "coupon:" + strings.ToUpper(strings.TrimSpace(code)) }

// Redeem takes one use of the coupon.
func (b *CouponBook) Redeem(ctx context.Context, code string) (Coupon, error) {
	key := couponKey(code)
	raw, err := b.Store.Get(ctx, key)
	if store.IsNotFound(err) {
		return Coupon{}, ErrNoCoupon
	}
	if err != nil {
		return Coupon{}, err
	}
	var c Coupon
	if err := json.Unmarshal(raw, &c); err != nil {
		return Coupon{}, err
	}
	if !c.ExpiresAt.IsZero() && b.Clock().After(c.ExpiresAt) {
		return c, ErrCouponExpired
	}
	if c.MaxUses > 0 && c.Uses >= c.MaxUses {
		return c, ErrCouponExhausted
	}
	c.Uses++
	enc, err := json.Marshal(c)
	if err != nil {
		return Coupon{}, err
	}
	if err := b.Store.Put(ctx, key, enc, store.PutOptions{}); err != nil { // EXPECT kvcounter|kvrace
		return Coupon{}, err
	}
	return c, nil
}

// Release records that a redemption was rolled back; the ledger job
// subtracts released redemptions when it reconciles coupon usage.
func (b *CouponBook) Release(ctx context.Context, code, ticketID string) error {
	key := "coupon-release:" + strings.ToUpper(code) + ":" + ticketID
	return b.Store.Put(ctx, key, []byte(b.Clock().UTC().Format(time.RFC3339)), store.PutOptions{TTL: 90 * 24 * time.Hour})
}
