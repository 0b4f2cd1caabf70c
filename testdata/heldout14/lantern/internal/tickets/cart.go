package tickets

import (
	"context"
	"errors"
	"time"

	"example.com/lantern/internal/repo"
	"example.com/lantern/internal/store"
)

// Cart is a buyer's pending selection: one tier of one event.
type Cart struct {
	UserID     string    `json:"user_id"`
	EventID    string    `json:"event_id"`
	TierID     string    `json:"tier_id"`
	Quantity   int       `json:"qty"`
	CouponCode string    `json:"coupon,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// StoreKey implements repo.Entity.
func (c Cart) StoreKey() string { return c.UserID }

// ErrBadQuantity is returned for quantities outside 1..10.
var ErrBadQuantity = errors.New("tickets: quantity must be between 1 and 10")

// Carts keeps carts for two days of inactivity.
type Carts struct {
	Repo  *repo.Repo[Cart]
	Clock func() time.Time
}

// NewCarts returns a cart store over st.
func NewCarts(st store.Store, clock func() time.Time) *Carts {
	return &Carts{Repo: repo.New[Cart](st, "cart:", 48*time.Hour), Clock: clock}
}

// Select sets the tier and quantity in the user's cart, keeping a coupon the
// user already entered.
func (c *Carts) Select(ctx context.Context, userID, eventID, tierID string, qty int) (Cart, error) {
	if qty < 1 || qty > 10 {
		return Cart{}, ErrBadQuantity
	}
	opt, err := c.Repo.Find(ctx, userID).Unwrap()
	if err != nil {
		return Cart{}, err
	}
	now := c.Clock().UTC()
	cart := opt.OrElse(Cart{UserID: userID, CreatedAt: now})
	if cart.EventID != eventID {
		cart.CouponCode = ""
	}
	cart.EventID = eventID
	cart.TierID = tierID
	cart.Quantity = qty
	cart.UpdatedAt = now
	if err := c.Repo.Save(ctx, cart); err != nil { // EXPECT kvsession
		return Cart{}, err
	}
	return cart, nil
}
