// Package carts implements carts, checkout holds, wishlists, stock watches and likes.
package carts

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"example.com/trellis/internal/clock"
	"example.com/trellis/internal/keys"
	"example.com/trellis/internal/kvstore"
)

// Item is one SKU in a cart.
type Item struct {
	SKU       string `json:"sku"`
	Qty       int    `json:"qty"`
	UnitCents int64  `json:"unit_cents"`
}

// Cart is a customer's basket.
type Cart struct {
	ID        string    `json:"id"`
	Items     []Item    `json:"items"`
	UpdatedAt time.Time `json:"updated_at"`
}

func (c *Cart) add(it Item) {
	for i := range c.Items {
		if c.Items[i].SKU == it.SKU {
			c.Items[i].Qty += it.Qty
			c.Items[i].UnitCents = it.UnitCents
			return
		}
	}
	c.Items = append(c.Items, it)
}

func cartKey(t keys.TenantID, id string) string { return t.Prefix() + "cart:" + id }

// ErrEmptyCart is returned when holding a cart with nothing in it.
var ErrEmptyCart = errors.New("carts: cart is empty")

// MakeAddItem returns the handler for POST /cart/items.
func MakeAddItem(st kvstore.Store, c clock.Clock, ttl time.Duration) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tenant, _ := keys.TenantFrom(r.Context())
		var req struct {
			Cart string `json:"cart"`
			Item
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Cart == "" || req.Qty <= 0 {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		key := cartKey(tenant, req.Cart)
		var cart Cart
		raw, err := st.Get(r.Context(), key) // EXPECT kvnull
		if err != nil {
			cart = Cart{ID: req.Cart}
		} else if err := json.Unmarshal(raw, &cart); err != nil {
			http.Error(w, "corrupt cart", http.StatusInternalServerError)
			return
		}
		cart.add(req.Item)
		cart.UpdatedAt = c.Now()
		body, _ := json.Marshal(cart)
		if err := st.Put(r.Context(), key, body, kvstore.PutOptions{TTL: ttl}); err != nil { // EXPECT kvsession
			http.Error(w, "could not save cart", http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}
}

// Checkout places holds on carts while payment is taken.
type Checkout struct {
	st    kvstore.Store
	clock clock.Clock
}

func NewCheckout(st kvstore.Store, c clock.Clock) *Checkout { return &Checkout{st: st, clock: c} }

// Hold reserves the cart's stock until the payment window closes.
func (c *Checkout) Hold(ctx context.Context, tenant keys.TenantID, cartID string, until time.Time) error {
	raw, err := c.st.Get(ctx, cartKey(tenant, cartID))
	if kvstore.IsNotFound(err) {
		return ErrEmptyCart
	}
	if err != nil {
		return err
	}
	var cart Cart
	if err := json.Unmarshal(raw, &cart); err != nil || len(cart.Items) == 0 {
		return errors.Join(ErrEmptyCart, err)
	}
	body, err := json.Marshal(map[string]any{"cart": cartID, "items": cart.Items, "until": until})
	if err != nil {
		return err
	}
	return c.st.Put(ctx, tenant.Prefix()+"hold:"+cartID, body, kvstore.PutOptions{
		TTL: time.Until(until), // EXPECT kvttl
	})
}
