// Package checkout turns carts into orders.
package checkout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"example.com/yarrow/internal/domain"
	"example.com/yarrow/internal/edge/cart"
	"example.com/yarrow/internal/storage"
)

// priceLock is how long the prices shown on the review page are honoured.
const priceLock = 50 * time.Second

// menuCallTimeout bounds each menu read made while verifying a cart.
const menuCallTimeout = 800 * time.Millisecond

// ErrPriceChanged asks the client to review the cart again.
var ErrPriceChanged = errors.New("checkout: prices changed")

// Carts is the part of the cart service the checkout uses.
type Carts interface {
	Get(ctx context.Context, id domain.CartID) (*domain.Cart, error)
	Discard(ctx context.Context, id domain.CartID) error
}

// Menus is the part of the menu service the checkout uses.
type Menus interface {
	Menu(ctx context.Context, r domain.RestaurantID) (*domain.Menu, error)
}

// Promos redeems promo codes.
type Promos interface {
	Redeem(ctx context.Context, code domain.Code, customer domain.Email) (domain.Promo, error)
}

// Tracker starts order tracking.
type Tracker interface {
	Start(ctx context.Context, o *domain.Order) error
}

// Clock tells the time.
type Clock interface{ Now() time.Time }

// Request is a checkout request.
type Request struct {
	Cart           domain.CartID `json:"cart"`
	PromoCode      string        `json:"promo_code,omitempty"`
	IdempotencyKey string        `json:"idempotency_key"`
	PrepMinutes    int           `json:"-"`
}

// Result lists the orders created, one per restaurant.
type Result struct {
	Orders []domain.OrderID `json:"orders"`
	Total  domain.Cents     `json:"total"`
}

// Service places orders.
type Service struct {
	orders  storage.Store
	carts   Carts
	menus   Menus
	promos  Promos
	tracker Tracker
	clock   Clock
}

// ProvideService is the constructor used by the wiring in cmd/edge.
func ProvideService(orders storage.Store, c Carts, m Menus, p Promos, t Tracker, clk Clock) *Service {
	return &Service{orders: orders, carts: c, menus: m, promos: p, tracker: t, clock: clk}
}

// LockPrices records the prices the customer saw on the review page.
func (s *Service) LockPrices(ctx context.Context, id domain.CartID) (domain.Cents, error) {
	c, err := s.carts.Get(ctx, id)
	if err != nil {
		return 0, err
	}
	raw, err := json.Marshal(c.Lines)
	if err != nil {
		return 0, err
	}
	if err := s.orders.Put(ctx, "price-lock:"+string(id), raw, storage.WriteOptions{TTL: priceLock}); err != nil { // EXPECT kvttl
		return 0, err
	}
	return c.Total(), nil
}

// Place creates the orders for a cart.
func (s *Service) Place(ctx context.Context, req Request) (Result, error) {
	idemKey := "idem:" + req.IdempotencyKey
	if prev, err := s.orders.Get(ctx, idemKey); err == nil {
		var r Result
		return r, json.Unmarshal(prev, &r)
	} else if !errors.Is(err, storage.ErrNotFound) {
		return Result{}, err
	}

	c, err := s.carts.Get(ctx, req.Cart)
	if err != nil {
		return Result{}, err
	}
	if len(c.Lines) == 0 {
		return Result{}, cart.ErrEmpty
	}
	if err := s.verifyPrices(ctx, c); err != nil {
		return Result{}, err
	}

	var promo domain.Promo
	if req.PromoCode != "" {
		code, err := domain.ParseCode(req.PromoCode)
		if err != nil {
			return Result{}, err
		}
		if promo, err = s.promos.Redeem(ctx, code, c.Customer); err != nil {
			return Result{}, err
		}
	}

	now := s.clock.Now()
	var res Result
	for _, r := range c.Restaurants() {
		o := &domain.Order{ID: domain.NewOrderID(), Restaurant: r, Customer: c.Customer, PlacedAt: now}
		for _, l := range c.Lines {
			if l.Restaurant == r {
				o.Lines = append(o.Lines, l)
				o.Total += l.UnitPrice * domain.Cents(l.Quantity)
			}
		}
		o.Discount = promo.Discount(o.Total)
		o.PromisedAt = now.Add(time.Duration(max(req.PrepMinutes, 15)+20) * time.Minute)
		if err := s.saveOrder(ctx, o); err != nil {
			return res, err
		}
		if err := s.tracker.Start(ctx, o); err != nil {
			return res, err
		}
		res.Orders = append(res.Orders, o.ID)
		res.Total += o.Total - o.Discount
	}

	raw, _ := json.Marshal(res)
	if err := s.orders.Put(ctx, idemKey, raw, storage.WriteOptions{TTL: 24 * time.Hour}); err != nil { // DEBATABLE kvrace
		return res, err
	}
	last := fmt.Appendf(nil, `{"order":%q,"at":%q}`, res.Orders[0], now.Format(time.RFC3339))
	if err := s.orders.Put(ctx, "checkout:last-order", last, storage.WriteOptions{}); err != nil { // EXPECT kvhotkey
		return res, err
	}

	// The order exists even if the client goes away now; clear the cart anyway.
	cleanup := context.WithoutCancel(ctx)
	if err := s.carts.Discard(cleanup, c.ID); err != nil {
		return res, fmt.Errorf("checkout: orders placed but cart not cleared: %w", err)
	}
	return res, nil
}

func (s *Service) saveOrder(ctx context.Context, o *domain.Order) error {
	raw, err := json.Marshal(o)
	if err != nil {
		return err
	}
	return s.orders.Put(ctx, "order:"+string(o.ID), raw, storage.WriteOptions{TTL: 30 * 24 * time.Hour})
}

// verifyPrices re-reads every restaurant's menu concurrently and fails if a
// line's price or availability changed since it was added.
func (s *Service) verifyPrices(ctx context.Context, c *domain.Cart) error {
	rs := c.Restaurants()
	menus := make([]*domain.Menu, len(rs))
	errs := make([]error, len(rs))
	var wg sync.WaitGroup
	for i, r := range rs {
		wg.Go(func() {
			cctx, cancel := context.WithTimeout(ctx, menuCallTimeout)
			defer cancel()
			menus[i], errs[i] = s.menus.Menu(cctx, r)
		})
	}
	wg.Wait()
	for i, r := range rs {
		if errs[i] != nil {
			return fmt.Errorf("checkout: menu %s: %w", r, errs[i])
		}
		for _, l := range c.Lines {
			if l.Restaurant != r {
				continue
			}
			it, ok := menus[i].Item(l.ItemID)
			if !ok || !it.Available || it.Price != l.UnitPrice {
				return fmt.Errorf("%w: %s/%s", ErrPriceChanged, r, l.ItemID)
			}
		}
	}
	return nil
}
