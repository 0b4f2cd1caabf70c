//go:build js && wasm

// Package cart keeps guests' carts between the QR menu and checkout.
package cart

import (
	"context"
	"errors"
	"fmt"
	"time"

	"wren/internal/keys"
	"wren/internal/kvx"
)

// Line is one item in a cart.
type Line struct {
	ItemID     string `json:"item_id"`
	Name       string `json:"name"`
	Qty        int    `json:"qty"`
	PriceCents int    `json:"price_cents"`
	Notes      string `json:"notes,omitempty"`
}

// Cart is a guest's cart.
type Cart struct {
	ID        string    `json:"id"`
	Table     int       `json:"table"`
	Lines     []Line    `json:"lines"`
	LoyaltyID string    `json:"loyalty_id,omitempty"`
	Updated   time.Time `json:"updated"`
}

// Total is the cart total in cents.
func (c *Cart) Total() (t int) {
	for _, l := range c.Lines {
		t += l.Qty * l.PriceCents
	}
	return t
}

// MissingError is returned for an unknown or expired cart.
type MissingError struct{ ID string }

func (e *MissingError) Error() string { return "cart " + e.ID + " not found" }

// Service stores one tenant's carts.
type Service struct {
	st     *kvx.Store
	policy keys.Policy
}

// New returns the cart service of a tenant.
func New(st *kvx.Store, tenant string) *Service {
	return &Service{st: st, policy: keys.Policy{Tenant: tenant}}
}

// Create starts an empty cart for a table.
func (s *Service) Create(ctx context.Context, table int) (*Cart, error) {
	c := &Cart{ID: keys.NewID(), Table: table, Updated: time.Now().UTC()}
	key, ttl := s.policy.For(keys.KindCart, c.ID)
	if err := s.st.PutJSON(ctx, key, c, ttl); err != nil {
		return nil, fmt.Errorf("create cart: %w", err)
	}
	return c, nil
}

// Get loads a cart.
func (s *Service) Get(ctx context.Context, id string) (*Cart, error) {
	var c Cart
	key, _ := s.policy.For(keys.KindCart, id)
	ok, err := s.st.GetJSON(ctx, key, &c)
	if err != nil {
		return nil, fmt.Errorf("load cart %s: %w", id, err)
	}
	if !ok {
		return nil, &MissingError{ID: id}
	}
	return &c, nil
}

// AddItem adds a line to the cart, merging it with an identical line.
func (s *Service) AddItem(ctx context.Context, id string, l Line) (*Cart, error) {
	if l.Qty <= 0 {
		return nil, errors.New("quantity must be positive")
	}
	c, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	merged := false
	for i := range c.Lines {
		if c.Lines[i].ItemID == l.ItemID && c.Lines[i].Notes == l.Notes {
			c.Lines[i].Qty += l.Qty
			merged = true
		}
	}
	if !merged {
		c.Lines = append(c.Lines, l)
	}
	c.Updated = time.Now().UTC()
	key, ttl := s.policy.For(keys.KindCart, id)
	if err := s.st.PutJSON(ctx, key, c, ttl); err != nil { // EXPECT kvsession|kvrace
		return nil, fmt.Errorf("add item: %w", err)
	}
	return c, nil
}

// Discard removes a cart after checkout.
func (s *Service) Discard(ctx context.Context, id string) error {
	key, _ := s.policy.For(keys.KindCart, id)
	return s.st.Delete(ctx, key) // DEBATABLE kvsession
}
