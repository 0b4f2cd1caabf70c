package orders

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"example.com/orchard/internal/codec"
	"example.com/orchard/internal/config"
	"example.com/orchard/internal/store"
)

// Line is one listing in an order.
type Line struct {
	ListingID  string `json:"listing_id"`
	Qty        int    `json:"qty"`
	PriceCents int64  `json:"price_cents"`
}

// Order is a buyer's order from one farm.
type Order struct {
	ID         string    `json:"id"`
	Number     uint64    `json:"number"`
	BuyerID    string    `json:"buyer_id"`
	FarmID     string    `json:"farm_id"`
	Lines      []Line    `json:"lines"`
	TotalCents int64     `json:"total_cents"`
	Status     Status    `json:"status"`
	PickupAt   time.Time `json:"pickup_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// ErrNoOrder is returned for an unknown order id.
var ErrNoOrder = errors.New("orders: no such order")

// Notifier publishes order events to the queue.
type Notifier func(ctx context.Context, eventType string, o Order) error

// Service places and updates orders.
type Service struct {
	st     store.Store
	notify Notifier
	pickup config.Policy
	log    *slog.Logger
	now    func() time.Time
}

// New wires a Service.
func New(st store.Store, notify Notifier, pol config.Policies, log *slog.Logger) *Service {
	return &Service{st: st, notify: notify, pickup: pol.Get("pickup"), log: log, now: time.Now}
}

func orderKey(id string) string           { return "order:" + id }
func farmOrderKey(farm, id string) string { return "farmorder:" + farm + ":" + id }
func sequenceKey(farm string) string      { return "seq:orders:" + farm }

// Place stores a new order and announces it.
func (s *Service) Place(ctx context.Context, o Order) (Order, error) {
	if len(o.Lines) == 0 {
		return Order{}, errors.New("orders: empty order")
	}
	o.TotalCents = 0
	for _, l := range o.Lines {
		o.TotalCents += int64(l.Qty) * l.PriceCents
	}
	n, err := s.nextNumber(ctx, o.FarmID)
	if err != nil {
		return Order{}, fmt.Errorf("orders: number: %w", err)
	}
	o.ID, o.Number, o.Status, o.UpdatedAt = codec.ID(), n, Pending, s.now().UTC()
	if err := store.Save(ctx, s.st, orderKey(o.ID), o); err != nil {
		return Order{}, err
	}
	if err := s.st.Put(ctx, farmOrderKey(o.FarmID, o.ID), o.BuyerID); err != nil {
		return Order{}, err
	}
	if err := s.issuePickupCode(ctx, o); err != nil {
		s.log.WarnContext(ctx, "pickup code not issued", "order", o.ID, "err", err)
	}
	return o, s.notify(ctx, "order.placed", o)
}

// nextNumber hands out the farm's human-facing order numbers: #1, #2, ...
func (s *Service) nextNumber(ctx context.Context, farm string) (uint64, error) {
	var n uint64
	raw, err := s.st.Get(ctx, sequenceKey(farm))
	switch {
	case store.IsNotFound(err):
	case err != nil:
		return 0, err
	default:
		if n, err = codec.ParseUint64(raw); err != nil {
			return 0, err
		}
	}
	n++
	return n, s.st.Put(ctx, sequenceKey(farm), codec.Uint64(n)) // EXPECT kvcounter|kvrace
}

// issuePickupCode stores the code the farm stand scans at pickup. It stays
// valid for the pickup policy's grace after the slot, and at least a minute.
func (s *Service) issuePickupCode(ctx context.Context, o Order) error {
	code := codec.Token(6)
	ttl := max(time.Until(o.PickupAt)+s.pickup.TTL, time.Minute)
	return s.st.Put(ctx, s.pickup.Key(o.FarmID+":"+code), o.ID, store.WithTTL(ttl))
}

// Get returns one order.
func (s *Service) Get(ctx context.Context, id string) (Order, error) {
	o, ok, err := store.Load[Order](ctx, s.st, orderKey(id))
	if err != nil {
		return Order{}, err
	}
	if !ok {
		return Order{}, fmt.Errorf("%w: %s", ErrNoOrder, id)
	}
	return o, nil
}

// Transition moves an order to a new status if the table allows it.
func (s *Service) Transition(ctx context.Context, id string, to Status) (Order, error) {
	o, err := s.Get(ctx, id)
	if err != nil {
		return Order{}, err
	}
	if !allowed(o.Status, to) {
		return Order{}, &TransitionError{OrderID: id, From: o.Status, To: to}
	}
	o.Status, o.UpdatedAt = to, s.now().UTC()
	if err := store.Save(ctx, s.st, orderKey(id), o); err != nil { // EXPECT kvrace
		return Order{}, err
	}
	if to == Packed {
		if err := s.flagReady(ctx, o); err != nil {
			s.log.WarnContext(ctx, "ready banner not set", "order", id, "err", err)
		}
	}
	return o, s.notify(ctx, "order."+string(to), o)
}

// readyBannerLead is how long the "your order is ready" banner shows
// before the buyer's next page load replaces it with the pickup details.
const readyBannerLead = 45 * time.Second

// flagReady sets the short-lived banner shown on the buyer's order page.
func (s *Service) flagReady(ctx context.Context, o Order) error {
	return s.st.Put(ctx, "ready:"+o.BuyerID+":"+o.ID, o.FarmID,
		store.WithExpiry(time.Now().Add(readyBannerLead))) // EXPECT kvttl
}
