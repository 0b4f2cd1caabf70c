// Package booking holds the customer portal's shipping cart: parcels a
// customer collects before booking them together in one pickup.
package booking

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"time"

	"example.com/halyard/internal/keys"
	"example.com/halyard/internal/kvstore"
)

var now = time.Now

const (
	cartTTL    = 7 * 24 * time.Hour
	maxItems   = 50
	bookingTTL = 90 * 24 * time.Hour
)

var (
	ErrEmptyCart = errors.New("booking: cart is empty")
	ErrCartFull  = errors.New("booking: cart is full")
)

// Item is one parcel in the cart.
type Item struct {
	Ref      string  `json:"ref"`
	WeightKg float64 `json:"weight_kg"`
	Service  string  `json:"service"`
	Dest     string  `json:"dest"`
	Quote    float64 `json:"quote"`
}

// Cart is a customer's open cart.
type Cart struct {
	Customer  string    `json:"customer"`
	Items     []Item    `json:"items"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Booking is a submitted cart.
type Booking struct {
	ID       string    `json:"id"`
	Customer string    `json:"customer"`
	Items    []Item    `json:"items"`
	Total    float64   `json:"total"`
	PickupOn string    `json:"pickup_on"`
	Created  time.Time `json:"created"`
}

// Carts is the cart service.
type Carts struct {
	kv kvstore.Store
}

// NewCarts wires the service.
func NewCarts(rw kvstore.ReadWriter) *Carts { return &Carts{kv: kvstore.New(rw)} }

func cartKey(customer string) string { return keys.Join("cart", customer) }

// View returns the customer's cart, empty if there is none.
func (c *Carts) View(ctx context.Context, customer string) (*Cart, error) {
	cart := &Cart{Customer: customer}
	err := kvstore.GetJSON(ctx, c.kv, cartKey(customer), cart)
	if err != nil && !kvstore.IsNotFound(err) {
		return nil, err
	}
	return cart, nil
}

// Add puts a parcel in the cart.
func (c *Carts) Add(ctx context.Context, customer string, it Item) (*Cart, error) {
	cart, err := c.View(ctx, customer)
	if err != nil {
		return nil, err
	}
	if len(cart.Items) >= maxItems {
		return nil, ErrCartFull
	}
	cart.Items = append(cart.Items, it)
	cart.UpdatedAt = now().UTC()
	if err := c.kv.Write(cartKey(customer)).JSON(cart).TTL(cartTTL).Do(ctx); err != nil { // EXPECT kvsession
		return nil, err
	}
	return cart, nil
}

// Checkout books everything in the cart for one pickup date.
func (c *Carts) Checkout(ctx context.Context, customer, pickupOn string) (*Booking, error) {
	cart, err := c.View(ctx, customer)
	if err != nil {
		return nil, err
	}
	if len(cart.Items) == 0 {
		return nil, ErrEmptyCart
	}
	var id [10]byte
	if _, err := rand.Read(id[:]); err != nil {
		return nil, err
	}
	b := &Booking{
		ID:       "BK" + hex.EncodeToString(id[:]),
		Customer: customer,
		Items:    cart.Items,
		PickupOn: pickupOn,
		Created:  now().UTC(),
	}
	for _, it := range cart.Items {
		b.Total += it.Quote
	}
	if err := c.kv.Write(keys.Join("booking", b.ID)).JSON(b).TTL(bookingTTL).Do(ctx); err != nil {
		return nil, err
	}
	if err := c.kv.Delete(ctx, cartKey(customer)); err != nil { // DEBATABLE kvsession
		return b, err
	}
	return b, nil
}
