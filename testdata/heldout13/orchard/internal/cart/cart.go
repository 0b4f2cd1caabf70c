// Package cart keeps each buyer's cart between visits.
package cart

import (
	"context"
	"errors"
	"time"

	"example.com/orchard/internal/config"
	"example.com/orchard/internal/store"
)

// Item is one listing in a cart.
type Item struct {
	ListingID  string `json:"listing_id"`
	FarmID     string `json:"farm_id"`
	Qty        int    `json:"qty"`
	PriceCents int64  `json:"price_cents"`
}

// Cart is a buyer's cart.
type Cart struct {
	BuyerID   string    `json:"buyer_id"`
	Items     []Item    `json:"items"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Total is the cart total in cents.
func (c Cart) Total() int64 {
	var t int64
	for _, it := range c.Items {
		t += int64(it.Qty) * it.PriceCents
	}
	return t
}

// ByFarm splits the cart into one group per farm, the unit of an order.
func (c Cart) ByFarm() map[string][]Item {
	out := map[string][]Item{}
	for _, it := range c.Items {
		out[it.FarmID] = append(out[it.FarmID], it)
	}
	return out
}

// ErrQty is returned for a non-positive or excessive quantity.
var ErrQty = errors.New("cart: quantity must be between 1 and 99")

// Service reads and changes carts.
type Service struct {
	st  store.Store
	pol config.Policy
	now func() time.Time
}

// New wires a Service with the "carts" key policy.
func New(st store.Store, pol config.Policies) *Service {
	return &Service{st: st, pol: pol.Get("carts"), now: time.Now}
}

// Get returns the buyer's cart, empty if there is none.
func (s *Service) Get(ctx context.Context, buyerID string) (Cart, error) {
	c, ok, err := store.Load[Cart](ctx, s.st, s.pol.Key(buyerID))
	if err != nil {
		return Cart{}, err
	}
	if !ok {
		c = Cart{BuyerID: buyerID}
	}
	return c, nil
}

// Add puts qty of a listing into the cart, merging with a line already
// there.
func (s *Service) Add(ctx context.Context, buyerID string, it Item) (Cart, error) {
	if it.Qty < 1 || it.Qty > 99 {
		return Cart{}, ErrQty
	}
	c, err := s.Get(ctx, buyerID)
	if err != nil {
		return Cart{}, err
	}
	merged := false
	for i := range c.Items {
		if c.Items[i].ListingID == it.ListingID {
			c.Items[i].Qty = min(c.Items[i].Qty+it.Qty, 99)
			merged = true
		}
	}
	if !merged {
		c.Items = append(c.Items, it)
	}
	c.UpdatedAt = s.now().UTC()
	return c, store.Save(ctx, s.st, s.pol.Key(buyerID), c, store.WithTTL(s.pol.TTL)) // EXPECT kvsession
}

// Clear empties the cart after checkout.
func (s *Service) Clear(ctx context.Context, buyerID string) error {
	return s.st.Delete(ctx, s.pol.Key(buyerID)) // DEBATABLE kvsession
}
