package session

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"example.com/orchard/internal/ids"
	"example.com/orchard/internal/kvstore"
)

type CartItem struct {
	SKU ids.SKU `json:"sku"`
	Qty int     `json:"qty"`
}

type Cart struct {
	Items   []CartItem `json:"items"`
	Updated time.Time  `json:"updated"`
}

func (m *Manager) cartKey(acct ids.AccountID) string { return fmt.Sprintf(m.keys.Cart, acct) }

// Cart returns the account's cart; a missing cart is empty.
func (m *Manager) Cart(ctx context.Context, acct ids.AccountID) (*Cart, error) {
	raw, err := m.store.Get(ctx, m.cartKey(acct))
	if kvstore.IsNotFound(err) {
		return &Cart{}, nil
	}
	if err != nil {
		return nil, err
	}
	var c Cart
	return &c, json.Unmarshal(raw, &c)
}

// AddToCart adds qty of sku to the cart.
func (m *Manager) AddToCart(ctx context.Context, acct ids.AccountID, sku ids.SKU, qty int) (*Cart, error) {
	c, err := m.Cart(ctx, acct)
	if err != nil {
		return nil, err
	}
	found := false
	for i := range c.Items {
		if c.Items[i].SKU == sku {
			c.Items[i].Qty += qty
			found = true
		}
	}
	if !found {
		c.Items = append(c.Items, CartItem{SKU: sku, Qty: qty})
	}
	c.Updated = time.Now().UTC()
	b, _ := json.Marshal(c)
	return c, m.store.Put(ctx, m.cartKey(acct), b, kvstore.PutOptions{TTL: 30 * 24 * time.Hour}) // EXPECT kvsession
}
