// Package cart keeps customers' shopping carts.
package cart

import (
	"context"
	"errors"
	"fmt"
	"time"

	"example.com/yarrow/internal/config"
	"example.com/yarrow/internal/domain"
	"example.com/yarrow/internal/storage"
)

// ErrNoCart is returned for unknown or expired carts.
var ErrNoCart = errors.New("cart: no such cart")

// ErrEmpty is returned when checking out an empty cart.
var ErrEmpty = errors.New("cart: empty")

// MaxLines bounds the number of lines in one cart.
const MaxLines = 40

// Pricer returns the current price of a menu item.
type Pricer interface {
	Price(ctx context.Context, r domain.RestaurantID, itemID string) (domain.Cents, error)
}

// Clock tells the time.
type Clock interface{ Now() time.Time }

// Service manages carts.
type Service struct {
	store  storage.Store
	prices Pricer
	clock  Clock
	ttl    time.Duration
}

// ProvideService is the constructor used by the wiring in cmd/edge.
func ProvideService(st storage.Store, p Pricer, c Clock, cfg config.Config) *Service {
	return &Service{store: st, prices: p, clock: c, ttl: cfg.CartTTL()}
}

// Open creates an empty cart for a customer.
func (s *Service) Open(ctx context.Context, customer domain.Email) (*domain.Cart, error) {
	c := &domain.Cart{ID: domain.NewCartID(), Customer: customer.Normalize(), UpdatedAt: s.clock.Now()}
	if err := storage.Save(ctx, s.store, c, storage.WriteOptions{TTL: s.ttl}); err != nil {
		return nil, err
	}
	return c, nil
}

// Get returns a cart.
func (s *Service) Get(ctx context.Context, id domain.CartID) (*domain.Cart, error) {
	c, err := storage.Load[domain.Cart](ctx, s.store, string(id))
	if errors.Is(err, storage.ErrNotFound) {
		return nil, fmt.Errorf("%w: %s", ErrNoCart, id)
	}
	return c, err
}

// AddLine adds an item, merging it with an identical line if there is one.
func (s *Service) AddLine(ctx context.Context, id domain.CartID, line domain.CartLine) (*domain.Cart, error) {
	if line.Quantity <= 0 {
		return nil, fmt.Errorf("cart: quantity must be positive, got %d", line.Quantity)
	}
	c, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	price, err := s.prices.Price(ctx, line.Restaurant, line.ItemID)
	if err != nil {
		return nil, err
	}
	line.UnitPrice = price
	merged := false
	for i := range c.Lines {
		l := &c.Lines[i]
		if l.Restaurant == line.Restaurant && l.ItemID == line.ItemID && l.Note == line.Note {
			l.Quantity += line.Quantity
			l.UnitPrice = price
			merged = true
			break
		}
	}
	if !merged {
		if len(c.Lines) >= MaxLines {
			return nil, fmt.Errorf("cart: at most %d lines", MaxLines)
		}
		c.Lines = append(c.Lines, line)
	}
	c.UpdatedAt = s.clock.Now()
	if err := s.save(ctx, c); err != nil { // EXPECT kvsession
		return nil, err
	}
	return c, nil
}

// Discard removes a cart, typically after checkout.
func (s *Service) Discard(ctx context.Context, id domain.CartID) error {
	c := domain.Cart{ID: id}
	return s.store.Delete(ctx, c.Key()) // DEBATABLE kvsession
}

func (s *Service) save(ctx context.Context, c *domain.Cart) error {
	return storage.Save(ctx, s.store, c, storage.WriteOptions{TTL: s.ttl})
}
