// Package holds reserves seats for a buyer while checkout is in progress.
package holds

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"example.com/juniper/internal/codec"
	"example.com/juniper/internal/config"
	"example.com/juniper/internal/domain"
	"example.com/juniper/internal/keys"
	"example.com/juniper/internal/store"
)

// Errors returned by the service.
var (
	ErrTooManySeats = errors.New("holds: too many seats")
	ErrExpired      = errors.New("holds: hold expired")
	ErrUnknown      = errors.New("holds: unknown hold")
)

// Service manages holds.
type Service interface {
	Create(ctx context.Context, eventID, buyerID string, seats []string) (domain.Hold, error)
	Get(ctx context.Context, eventID, holdID string) (domain.Hold, error)
	Confirm(ctx context.Context, eventID, holdID, paymentID string) error
	Release(ctx context.Context, eventID, holdID string) error
	Grace(ctx context.Context, eventID, holdID string) error
}

// Option configures the service.
type Option func(*service)

// WithConfig replaces the holds section of the configuration.
func WithConfig(c config.HoldsConfig) Option {
	return func(s *service) { s.cfg = c }
}

// WithNow overrides the time source.
func WithNow(now func() time.Time) Option {
	return func(s *service) { s.now = now }
}

type holdKey string

type order struct {
	HoldID    string    `json:"hold_id"`
	PaymentID string    `json:"payment_id"`
	Seats     []string  `json:"seats"`
	At        time.Time `json:"at"`
}

type service struct {
	raw    store.Raw
	holds  store.Store[holdKey, domain.Hold]
	orders store.Store[string, order]
	cfg    config.HoldsConfig
	now    func() time.Time
}

var _ Service = (*service)(nil)

// NewService returns a Service storing holds in raw.
func NewService(raw store.Raw, opts ...Option) Service {
	s := &service{
		raw:    raw,
		holds:  store.NewTyped[holdKey](raw, codec.JSON[domain.Hold]{}, ""),
		orders: store.NewTyped[string](raw, codec.JSON[order]{}, "order:"),
		cfg:    config.Default().Holds,
		now:    time.Now,
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

func newID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (s *service) Create(ctx context.Context, eventID, buyerID string, seats []string) (domain.Hold, error) {
	if len(seats) == 0 || len(seats) > s.cfg.MaxPerBuy {
		return domain.Hold{}, ErrTooManySeats
	}
	now := s.now()
	h := domain.Hold{
		Audit:     domain.Audit{CreatedAt: now, UpdatedAt: now, By: buyerID},
		ID:        newID(),
		EventID:   eventID,
		BuyerID:   buyerID,
		Seats:     seats,
		ExpiresAt: now.Add(s.cfg.Duration),
		Status:    "held",
	}
	ttl := max(s.cfg.Duration, time.Minute)
	if err := s.holds.Put(ctx, holdKey(keys.Hold(eventID, h.ID)), h, store.WithTTL(ttl)); err != nil {
		return domain.Hold{}, fmt.Errorf("holds: create: %w", err)
	}
	return h, nil
}

func (s *service) Get(ctx context.Context, eventID, holdID string) (domain.Hold, error) {
	h, ok, err := s.holds.Get(ctx, holdKey(keys.Hold(eventID, holdID)))
	switch {
	case err != nil:
		return domain.Hold{}, err
	case !ok:
		return domain.Hold{}, ErrUnknown
	case s.now().After(h.ExpiresAt):
		return domain.Hold{}, ErrExpired
	}
	return h, nil
}

// Confirm turns a hold into an order once payment succeeded. The order is
// written under its own key; the hold expires on its own.
func (s *service) Confirm(ctx context.Context, eventID, holdID, paymentID string) error {
	h, err := s.Get(ctx, eventID, holdID)
	if err != nil {
		return err
	}
	o := order{HoldID: h.ID, PaymentID: paymentID, Seats: h.Seats, At: s.now()}
	return s.orders.Put(ctx, paymentID, o)
}

// Release gives the seats back when the buyer abandons checkout.
func (s *service) Release(ctx context.Context, eventID, holdID string) error {
	return s.holds.Delete(ctx, holdKey(keys.Hold(eventID, holdID))) // DEBATABLE kvsession
}

// Grace marks a hold whose payment is pending at the provider so the sweeper
// leaves it alone for a short while.
func (s *service) Grace(ctx context.Context, eventID, holdID string) error {
	k := keys.Hold(eventID, holdID) + ":grace"
	return s.raw.Put(ctx, k, []byte(s.now().UTC().Format(time.RFC3339)),
		store.WithTTL(20*time.Second)) // EXPECT kvttl
}
