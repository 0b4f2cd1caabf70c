//go:build js && wasm

// Package checkout turns held seats into orders.
package checkout

import (
	"context"
	"errors"
	"time"

	"github.com/boxoffice/knot/internal/edgekv"
)

// Item is one held seat in a cart.
type Item struct {
	EventID string    `json:"event_id"`
	Seat    string    `json:"seat"`
	HoldID  string    `json:"hold_id"`
	Cents   int64     `json:"cents"`
	Expires time.Time `json:"expires"`
}

// Cart is a buyer's cart, keyed by the cart cookie.
type Cart struct {
	ID      string    `json:"id"`
	Items   []Item    `json:"items"`
	Updated time.Time `json:"updated"`
}

// Key of the cart.
func (c Cart) Key() string { return "cart:" + c.ID }

// TTL is a little longer than a seat hold so the cart outlives its holds.
func (c Cart) TTL() time.Duration { return 20 * time.Minute }

// HoldsUntil is the deadline shared by the cart's seat holds.
func (c Cart) HoldsUntil() (time.Time, bool) {
	if len(c.Items) == 0 {
		return time.Time{}, false
	}
	return c.Items[0].Expires, true
}

// Total returns the cart total in cents.
func (c Cart) Total() int64 {
	var t int64
	for _, it := range c.Items {
		t += it.Cents
	}
	return t
}

// Carts stores carts in the SESSIONS namespace.
type Carts struct {
	store *edgekv.Store
}

// NewCarts returns a cart store.
func NewCarts(store *edgekv.Store) *Carts { return &Carts{store: store} }

// Open creates an empty cart with a fresh ID.
func (c *Carts) Open(ctx context.Context, id string) (Cart, error) {
	cart := Cart{ID: id, Updated: now()}
	return cart, edgekv.Save(ctx, c.store, cart)
}

// Add puts held seats into the buyer's cart.
func (c *Carts) Add(ctx context.Context, cartID string, items ...Item) (Cart, error) {
	cart, err := edgekv.LoadOr(ctx, c.store, "cart:"+cartID, Cart{ID: cartID})
	if err != nil {
		return Cart{}, err
	}
	cart.Items = append(cart.Items, items...)
	cart.Updated = now()
	return cart, edgekv.Save(ctx, c.store, cart) // EXPECT kvrace|kvsession
}

// Get returns the cart, or an empty one when it has lapsed.
func (c *Carts) Get(ctx context.Context, cartID string) (Cart, error) {
	cart, err := edgekv.Load[Cart](ctx, c.store, "cart:"+cartID)
	if errors.Is(err, edgekv.ErrNotFound) {
		return Cart{ID: cartID}, nil
	}
	return cart, err
}
