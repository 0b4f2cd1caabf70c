// Package cart keeps customers' in-progress baskets between app launches.
package cart

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"example.com/bramble/internal/ids"
	"example.com/bramble/internal/platform/kvstore"
	"example.com/bramble/internal/platform/typed"
)

const (
	cartLifetime = 72 * time.Hour
	maxLines     = 60
)

var (
	ErrMixedRestaurants = errors.New("cart: items from another restaurant")
	ErrCartFull         = errors.New("cart: too many lines")
)

// Line is one menu item with its quantity and chosen modifiers.
type Line struct {
	ItemID    ids.ItemID `json:"item_id"`
	Quantity  int        `json:"qty"`
	Modifiers []string   `json:"modifiers,omitempty"`
	Note      string     `json:"note,omitempty"`
}

func (l Line) sameChoice(o Line) bool {
	return l.ItemID == o.ItemID && slices.Equal(l.Modifiers, o.Modifiers) && l.Note == o.Note
}

// Cart is a customer's basket at one restaurant.
type Cart struct {
	Restaurant ids.RestaurantID `json:"restaurant"`
	Lines      []Line           `json:"lines"`
	UpdatedAt  time.Time        `json:"updated_at"`
}

// Service stores carts per customer.
type Service struct {
	carts typed.Store[ids.CustomerID, Cart]
}

// New returns a cart service over kv.
func New(kv kvstore.Store) *Service {
	return &Service{
		carts: typed.New[ids.CustomerID, Cart](kv, "cart:").WithOptions(kvstore.WithTTL(cartLifetime)),
	}
}

// Load returns the customer's cart, or an empty one.
func (s *Service) Load(ctx context.Context, customer ids.CustomerID) (Cart, error) {
	c, found, err := s.carts.Lookup(ctx, customer)
	if err != nil || !found {
		return Cart{}, err
	}
	return c, nil
}

func (s *Service) mutate(ctx context.Context, customer ids.CustomerID, change func(*Cart) error) (Cart, error) {
	c, err := s.Load(ctx, customer)
	if err != nil {
		return Cart{}, err
	}
	if err := change(&c); err != nil {
		return Cart{}, err
	}
	c.UpdatedAt = time.Now().UTC()
	if err := s.carts.Put(ctx, customer, c); err != nil { // EXPECT kvsession
		return Cart{}, fmt.Errorf("save cart: %w", err)
	}
	return c, nil
}

// Add puts a line in the cart, merging with an identical line.
func (s *Service) Add(ctx context.Context, customer ids.CustomerID, restaurant ids.RestaurantID, line Line) (Cart, error) {
	return s.mutate(ctx, customer, func(c *Cart) error {
		if c.Restaurant != "" && c.Restaurant != restaurant && len(c.Lines) > 0 {
			return ErrMixedRestaurants
		}
		c.Restaurant = restaurant
		for i := range c.Lines {
			if c.Lines[i].sameChoice(line) {
				c.Lines[i].Quantity += line.Quantity
				return nil
			}
		}
		if len(c.Lines) >= maxLines {
			return ErrCartFull
		}
		c.Lines = append(c.Lines, line)
		return nil
	})
}

// Remove drops every line for item.
func (s *Service) Remove(ctx context.Context, customer ids.CustomerID, item ids.ItemID) (Cart, error) {
	return s.mutate(ctx, customer, func(c *Cart) error {
		c.Lines = slices.DeleteFunc(c.Lines, func(l Line) bool { return l.ItemID == item })
		return nil
	})
}
