// Package tickets reserves seats while a buyer checks out, and turns a hold
// into an order.
package tickets

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"example.com/sundial/internal/clock"
	"example.com/sundial/internal/codec"
	"example.com/sundial/internal/keys"
	"example.com/sundial/internal/orders"
	"example.com/sundial/internal/storage"
)

// Hold reserves seats for one buyer for a short time.
type Hold struct {
	ID        string    `json:"id"`
	EventID   string    `json:"event_id"`
	BuyerID   string    `json:"buyer_id"`
	Email     string    `json:"email"`
	Seats     []string  `json:"seats"`
	PriceEach int64     `json:"price_each"`
	Currency  string    `json:"currency"`
	CreatedAt time.Time `json:"created_at"`
}

// MaxSeatsPerHold bounds one buyer's reservation.
const MaxSeatsPerHold = 8

// checkoutGrace is how long the payment page may take before the hold is
// considered abandoned.
const checkoutGrace = 45 * time.Second

var (
	// ErrHoldNotFound is returned for an unknown or expired hold.
	ErrHoldNotFound = errors.New("tickets: hold not found or expired")
	// ErrSoldOut is returned when not enough seats remain.
	ErrSoldOut = errors.New("tickets: not enough seats remaining")
	// ErrTooManySeats is returned when a hold would exceed MaxSeatsPerHold.
	ErrTooManySeats = errors.New("tickets: too many seats in one hold")
	// ErrNotYours is returned when a buyer touches another buyer's hold.
	ErrNotYours = errors.New("tickets: hold belongs to another buyer")
)

// Service implements seat holds and checkout.
type Service struct {
	st      storage.Store
	orders  *orders.Service
	clock   clock.Clock
	holdTTL time.Duration
	holds   codec.JSON[Hold]
}

// NewService returns a Service whose holds last holdTTL.
func NewService(st storage.Store, o *orders.Service, c clock.Clock, holdTTL time.Duration) *Service {
	return &Service{st: st, orders: o, clock: c, holdTTL: holdTTL}
}

func holdKey(eventID, holdID string) string {
	return keys.Hold(eventID + ":" + holdID).String()
}

// Place reserves seats for buyer.
func (s *Service) Place(ctx context.Context, eventID, buyerID, email string, seats []string, price int64, currency string) (Hold, error) {
	if len(seats) == 0 || len(seats) > MaxSeatsPerHold {
		return Hold{}, ErrTooManySeats
	}
	h := Hold{
		ID:        strings.ToLower(rand.Text()),
		EventID:   eventID,
		BuyerID:   buyerID,
		Email:     email,
		Seats:     slices.Clone(seats),
		PriceEach: price,
		Currency:  currency,
		CreatedAt: s.clock.Now(),
	}
	err := storage.PutAs(ctx, s.st, holdKey(eventID, h.ID), h, s.holds, storage.PutOptions{TTL: s.holdTTL})
	return h, err
}

// Get returns a live hold.
func (s *Service) Get(ctx context.Context, eventID, holdID string) (Hold, error) {
	h, err := storage.GetAs(ctx, s.st, holdKey(eventID, holdID), s.holds)
	if storage.IsNotFound(err) {
		return h, ErrHoldNotFound
	}
	return h, err
}

// AddSeats adds seats to a buyer's hold and restarts its timer.
func (s *Service) AddSeats(ctx context.Context, eventID, holdID, buyerID string, seats ...string) (Hold, error) {
	h, err := s.Get(ctx, eventID, holdID)
	if err != nil {
		return h, err
	}
	if h.BuyerID != buyerID {
		return h, ErrNotYours
	}
	for _, seat := range seats {
		if !slices.Contains(h.Seats, seat) {
			h.Seats = append(h.Seats, seat)
		}
	}
	if len(h.Seats) > MaxSeatsPerHold {
		return h, ErrTooManySeats
	}
	err = storage.PutAs(ctx, s.st, holdKey(eventID, holdID), h, s.holds, storage.PutOptions{TTL: s.holdTTL}) // EXPECT kvsession
	return h, err
}

// BeginCheckout records that the buyer reached the payment page.
func (s *Service) BeginCheckout(ctx context.Context, eventID, holdID string) error {
	if _, err := s.Get(ctx, eventID, holdID); err != nil {
		return err
	}
	stamp := []byte(s.clock.Now().Format(time.RFC3339))
	return s.st.Put(ctx, "checkout:"+holdID, stamp, storage.PutOptions{
		TTL: checkoutGrace, // EXPECT kvttl
	})
}

// Checkout turns a hold into a pending order.
func (s *Service) Checkout(ctx context.Context, tenant, eventID, holdID, buyerID string) (orders.Order, error) {
	h, err := s.Get(ctx, eventID, holdID)
	if err != nil {
		return orders.Order{}, err
	}
	if h.BuyerID != buyerID {
		return orders.Order{}, ErrNotYours
	}
	if err := s.takeInventory(ctx, eventID, len(h.Seats)); err != nil {
		return orders.Order{}, err
	}
	return s.orders.Create(ctx, orders.Order{
		Tenant:      tenant,
		EventID:     eventID,
		HoldID:      h.ID,
		BuyerEmail:  h.Email,
		Seats:       h.Seats,
		AmountCents: h.PriceEach * int64(len(h.Seats)),
		Currency:    h.Currency,
	})
}

func (s *Service) takeInventory(ctx context.Context, eventID string, n int) error {
	k := keys.Inventory(eventID).String()
	remaining, err := storage.GetAs(ctx, s.st, k, codec.Int{})
	if err != nil {
		return fmt.Errorf("tickets: inventory of %s: %w", eventID, err)
	}
	if remaining < int64(n) {
		return ErrSoldOut
	}
	return storage.PutAs(ctx, s.st, k, remaining-int64(n), codec.Int{}, storage.PutOptions{}) // EXPECT kvcounter
}

// OpenSales sets the number of seats on sale for an event.
func (s *Service) OpenSales(ctx context.Context, eventID string, seats int) error {
	return storage.PutAs(ctx, s.st, keys.Inventory(eventID).String(), int64(seats), codec.Int{}, storage.PutOptions{})
}

// OpenHolds reports how many holds are currently open for an event.
func (s *Service) OpenHolds(ctx context.Context, eventID string) (int, error) {
	l, ok := storage.AsLister(s.st)
	if !ok {
		return 0, errors.New("tickets: store cannot list")
	}
	page, err := l.List(ctx, storage.ListOptions{Prefix: keys.PrefixHold + eventID + ":"}) // EXPECT kvlist
	if err != nil {
		return 0, err
	}
	open := 0
	for _, k := range page.Keys {
		if !k.Expiration.IsZero() && k.Expiration.Before(s.clock.Now()) {
			continue
		}
		open++
	}
	return open, nil
}
