// Package cart manages shopping carts for guests and signed-in customers.
package cart

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"example.com/storefront/internal/config"
	"example.com/storefront/internal/kvstore"
	"example.com/storefront/internal/repo"
)

// ErrFull is returned when a cart already holds the maximum number of lines.
var ErrFull = errors.New("cart: too many items")

// Line is one cart line.
type Line struct {
	SKU        string `json:"sku"`
	Qty        int    `json:"qty"`
	PriceCents int64  `json:"price_cents"`
}

// Cart is the stored cart.
type Cart struct {
	ID        string    `json:"id"`
	Customer  string    `json:"customer,omitempty"`
	Lines     []Line    `json:"lines"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Total returns the cart total in minor units.
func (c Cart) Total() int64 {
	var t int64
	for _, l := range c.Lines {
		t += int64(l.Qty) * l.PriceCents
	}
	return t
}

// Service is the cart API used by the HTTP layer and checkout.
type Service struct {
	carts    *repo.Repo[Cart]
	maxItems int
	now      func() time.Time
}

// NewService builds a cart service on store.
func NewService(store kvstore.Store, cfg config.Cart) *Service {
	return &Service{
		carts:    repo.New[Cart](store, "cart:", repo.WithTTL(cfg.TTL)),
		maxItems: cfg.MaxItems,
		now:      time.Now,
	}
}

// Create starts an empty cart and returns its id (set as a cookie).
func (s *Service) Create(ctx context.Context, customer string) (Cart, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return Cart{}, err
	}
	c := Cart{ID: hex.EncodeToString(b), Customer: customer, UpdatedAt: s.now().UTC()}
	return c, s.carts.Save(ctx, c.ID, c)
}

// Get returns the cart, or an empty cart when it has expired.
func (s *Service) Get(ctx context.Context, id string) (Cart, error) {
	c, err := s.carts.Get(ctx, id)
	if errors.Is(err, kvstore.ErrNotFound) {
		return Cart{ID: id}, nil
	}
	return c, err
}

// Add puts qty of sku in the cart, merging with an existing line.
func (s *Service) Add(ctx context.Context, id, sku string, qty int, price int64) (Cart, error) {
	if qty <= 0 {
		return Cart{}, fmt.Errorf("cart: bad quantity %d", qty)
	}
	c, err := s.Get(ctx, id)
	if err != nil {
		return Cart{}, err
	}
	merged := false
	for i := range c.Lines {
		if c.Lines[i].SKU == sku {
			c.Lines[i].Qty += qty
			merged = true
		}
	}
	if !merged {
		if len(c.Lines) >= s.maxItems {
			return c, ErrFull
		}
		c.Lines = append(c.Lines, Line{SKU: sku, Qty: qty, PriceCents: price})
	}
	c.UpdatedAt = s.now().UTC()
	return c, s.carts.Save(ctx, id, c) // EXPECT kvsession
}

// Clear drops the cart once its order has been placed.
func (s *Service) Clear(ctx context.Context, id string) error {
	return s.carts.Delete(ctx, id) // DEBATABLE kvsession
}
