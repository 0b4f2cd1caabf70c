// Package tickets sells tickets: seat holds, coupons, carts and issuing.
// Payment happens on the provider's hosted page; its webhooks confirm tickets.
package tickets

import (
	"context"
	"encoding/json"
	"time"

	"example.com/lantern/internal/config"
	"example.com/lantern/internal/keys"
	"example.com/lantern/internal/store"
)

// Ticket is an issued ticket, pending until the payment webhook confirms it.
type Ticket struct {
	ID         string    `json:"id"`
	EventID    string    `json:"event_id"`
	UserID     string    `json:"user_id"`
	TierID     string    `json:"tier_id"`
	PriceCents int       `json:"price_cents"`
	Coupon     string    `json:"coupon,omitempty"`
	IssuedAt   time.Time `json:"issued_at"`
}

// PurchaseCmd buys one ticket.
type PurchaseCmd struct {
	EventID    string
	UserID     string
	TierID     string
	PriceCents int
	CouponCode string
	Plan       config.Plan
}

// Purchase is the checkout use case.
type Purchase struct {
	Store   store.Store
	Deleter store.Deleter
	Coupons *CouponBook
	NewID   func() string
	Clock   func() time.Time
}

// holdTTL is how long a seat stays held while the buyer pays.
func holdTTL(plan config.Plan) time.Duration {
	switch plan {
	case config.PlanPro:
		return 15 * time.Minute
	case config.PlanCommunity:
		return 5 * time.Minute
	default:
		return 30 * time.Second
	}
}

// Execute runs the checkout saga.
func (p *Purchase) Execute(ctx context.Context, cmd PurchaseCmd) (Ticket, error) {
	t := Ticket{ID: p.NewID(), EventID: cmd.EventID, UserID: cmd.UserID, TierID: cmd.TierID, PriceCents: cmd.PriceCents}
	holdKey := keys.Hold(cmd.EventID, t.ID)
	steps := []Step{
		{
			Name: "hold",
			Run: func(ctx context.Context) error {
				opts := store.PutOptions{TTL: holdTTL(cmd.Plan)} // EXPECT kvttl
				return p.Store.Put(ctx, holdKey, []byte(cmd.UserID), opts)
			},
			Compensate: func(ctx context.Context) error {
				if p.Deleter == nil {
					return nil // the hold expires on its own
				}
				return p.Deleter.Delete(ctx, holdKey)
			},
		},
		{
			Name: "coupon",
			Run: func(ctx context.Context) error {
				if cmd.CouponCode == "" {
					return nil
				}
				c, err := p.Coupons.Redeem(ctx, cmd.CouponCode)
				if err != nil {
					return err
				}
				t.Coupon, t.PriceCents = c.Code, c.Apply(t.PriceCents)
				return nil
			},
			Compensate: func(ctx context.Context) error {
				if t.Coupon == "" {
					return nil
				}
				return p.Coupons.Release(ctx, t.Coupon, t.ID)
			},
		},
		{
			Name: "issue",
			Run: func(ctx context.Context) error {
				t.IssuedAt = p.Clock().UTC()
				b, err := json.Marshal(t)
				if err != nil {
					return err
				}
				return p.Store.Put(ctx, keys.Ticket(t.ID), b, store.PutOptions{})
			},
		},
	}
	if err := runSaga(ctx, steps); err != nil {
		return Ticket{}, err
	}
	return t, nil
}
