//go:build js && wasm

// Package cart keeps a customer's basket at the edge between page loads.
package cart

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/pintail-eats/pintail/internal/edge/kvx"
	"github.com/syumai/workers/cloudflare/kv"
)

// ErrCheckoutInProgress is returned while another checkout of the same
// basket is running.
var ErrCheckoutInProgress = errors.New("cart: checkout in progress")

// Line is one dish in a basket.
type Line struct {
	ItemID   string `json:"item_id"`
	Qty      int    `json:"qty"`
	Note     string `json:"note,omitempty"`
	UnitCost int    `json:"unit_cost"`
}

// Cart is a customer's basket for one restaurant.
type Cart struct {
	CustomerID   string    `json:"customer_id"`
	RestaurantID string    `json:"restaurant_id"`
	Lines        []Line    `json:"lines"`
	PromoCode    string    `json:"promo_code,omitempty"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// laterLifetime is how long "save for later" baskets are kept.
const laterLifetime = 30 * 24 * time.Hour

// Store keeps baskets in one namespace.
type Store struct {
	ns       *kvx.Namespace
	lifetime time.Duration
}

// NewStore returns a Store whose baskets expire after lifetime of inactivity.
func NewStore(ns *kvx.Namespace, lifetime time.Duration) *Store {
	return &Store{ns: ns, lifetime: max(lifetime, time.Hour)}
}

// slot binds a load and a save function to one key.
func (s *Store) slot(ctx context.Context, key string) (load func() (Cart, bool, error), save func(Cart) error) {
	load = func() (Cart, bool, error) {
		var c Cart
		if err := ctx.Err(); err != nil {
			return c, false, err
		}
		raw, ok, err := s.ns.Lookup(key)
		if err != nil || !ok {
			return c, false, err
		}
		return c, true, json.Unmarshal([]byte(raw), &c)
	}
	save = func(c Cart) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		c.UpdatedAt = time.Now().UTC()
		b, err := json.Marshal(c)
		if err != nil {
			return err
		}
		return s.ns.Raw().PutString(key, string(b), &kv.PutOptions{ExpirationTTL: int(s.lifetime.Seconds())})
	}
	return load, save
}

// Get returns the basket, empty when there is none.
func (s *Store) Get(ctx context.Context, customerID string) (Cart, error) {
	load, _ := s.slot(ctx, "cart:"+customerID)
	c, _, err := load()
	return c, err
}

// Add puts a line into the basket, merging with an existing line for the
// same dish.
func (s *Store) Add(ctx context.Context, customerID, restaurantID string, l Line) (Cart, error) {
	load, save := s.slot(ctx, "cart:"+customerID)
	c, found, err := load()
	if err != nil {
		return Cart{}, err
	}
	if !found || c.RestaurantID != restaurantID {
		c = Cart{CustomerID: customerID, RestaurantID: restaurantID}
	}
	merged := false
	for i := range c.Lines {
		if c.Lines[i].ItemID == l.ItemID && c.Lines[i].Note == l.Note {
			c.Lines[i].Qty += l.Qty
			merged = true
		}
	}
	if !merged {
		c.Lines = append(c.Lines, l)
	}
	return c, save(c) // EXPECT kvsession|kvrace
}

// Replace stores the basket the client sent, as the app does after editing
// the basket offline.
func (s *Store) Replace(ctx context.Context, c Cart) error {
	_, save := s.slot(ctx, "cart:"+c.CustomerID)
	return save(c) // DEBATABLE kvsession
}

// SaveForLater parks the basket under a separate key for a month.
func (s *Store) SaveForLater(customerID string, c Cart) error {
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return s.ns.Raw().PutString("cart-later:"+customerID, string(b), &kv.PutOptions{
		ExpirationTTL: int(laterLifetime / time.Second),
	})
}

// BeginCheckout marks the basket as being checked out so that a double tap
// on "Pay" does not place two orders.
func (s *Store) BeginCheckout(customerID, requestID string) error {
	key := "checkout-lock:" + customerID
	if _, held, err := s.ns.Lookup(key); err != nil {
		return err
	} else if held {
		return ErrCheckoutInProgress
	}
	return s.ns.Set(key, requestID, 120) // EXPECT kvrace
}

// EndCheckout clears the basket and its checkout mark.
func (s *Store) EndCheckout(ctx context.Context, customerID string) error {
	if err := s.ns.Delete("checkout-lock:" + customerID); err != nil {
		return err
	}
	return kvx.NewKey[Cart](s.ns, "cart:"+customerID).Clear(ctx) // DEBATABLE kvsession
}
