// Package holds implements seat holds during checkout: a buyer holds seats
// for a few minutes, collects them in a cart, pays, and the holds turn
// into tickets.
package holds

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"example.com/boxoffice/internal/config"
	"example.com/boxoffice/internal/kvkey"
	"example.com/boxoffice/internal/storage"
	"example.com/boxoffice/internal/typed"
)

// ErrSeatTaken is returned when another buyer holds the seat.
var ErrSeatTaken = errors.New("holds: seat is already held")

// ErrNotYours is returned when a buyer acts on someone else's hold.
var ErrNotYours = errors.New("holds: hold belongs to another account")

// ReleaseGrace is how long an expired hold stays stored so the release job
// can see it and put the seat back on sale.
const ReleaseGrace = 10 * time.Minute

// Hold is one held seat.
type Hold struct {
	ID        string    `json:"id"`
	EventID   string    `json:"event_id"`
	Seat      string    `json:"seat"`
	AccountID string    `json:"account_id"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Cart is the set of holds a buyer is about to pay for.
type Cart struct {
	AccountID string    `json:"account_id"`
	Holds     []string  `json:"holds"`
	Updated   time.Time `json:"updated"`
}

// Ticket is issued when a hold is paid for.
type Ticket struct {
	ID        string    `json:"id"`
	EventID   string    `json:"event_id"`
	Seat      string    `json:"seat"`
	AccountID string    `json:"account_id"`
	OrderID   string    `json:"order_id"`
	IssuedAt  time.Time `json:"issued_at"`
}

// Receipt is shown on the confirmation page right after payment.
type Receipt struct {
	OrderID string   `json:"order_id"`
	Tickets []string `json:"tickets"`
}

// SeatMap is the cached list of held seats for an event.
type SeatMap struct {
	EventID string    `json:"event_id"`
	Held    []string  `json:"held"`
	Partial bool      `json:"partial,omitempty"`
	Built   time.Time `json:"built"`
}

// Service manages holds.
type Service struct {
	store    storage.Store
	carts    *typed.Store[Cart]
	receipts *typed.Store[Receipt]
	cfg      config.Config
	now      func() time.Time
}

// New returns a Service over s.
func New(s storage.Store, cfg config.Config) *Service {
	return &Service{
		store:    s,
		carts:    typed.New[Cart](s, kvkey.Carts, nil),
		receipts: typed.New[Receipt](s, "receipt", nil),
		cfg:      cfg,
		now:      time.Now,
	}
}

// Hold places holds on seats for accountID and adds them to their cart.
// Seats held before a conflict stay held and are returned with the error.
func (s *Service) Hold(ctx context.Context, eventID string, seats []string, accountID string) ([]Hold, error) {
	var held []Hold
	var keys []string
	var holdErr error
	for _, seat := range seats {
		h, key, err := s.holdOne(ctx, eventID, seat, accountID)
		if err != nil {
			holdErr = err
			break
		}
		held = append(held, h)
		keys = append(keys, key)
	}
	if len(keys) > 0 {
		if err := s.addToCart(ctx, accountID, keys); err != nil {
			return held, fmt.Errorf("holds: cart: %w", err)
		}
	}
	return held, holdErr
}

func (s *Service) holdOne(ctx context.Context, eventID, seat, accountID string) (Hold, string, error) {
	key := kvkey.Hold(eventID, seat).String()
	if _, err := s.store.Get(ctx, key); err == nil {
		return Hold{}, "", ErrSeatTaken
	} else if !errors.Is(err, storage.ErrNotFound) {
		return Hold{}, "", err
	}
	h := Hold{
		ID:        newID(),
		EventID:   eventID,
		Seat:      seat,
		AccountID: accountID,
		ExpiresAt: s.now().Add(s.cfg.HoldTTL),
	}
	b, err := json.Marshal(h)
	if err != nil {
		return Hold{}, "", err
	}
	if err := s.store.Put(ctx, key, b, storage.WithTTL(s.cfg.HoldTTL+ReleaseGrace)); err != nil { // EXPECT kvrace
		return Hold{}, "", err
	}
	return h, key, nil
}

func (s *Service) addToCart(ctx context.Context, accountID string, holdKeys []string) error {
	cart, _, err := s.carts.Lookup(ctx, accountID)
	if err != nil {
		return err
	}
	cart.AccountID = accountID
	cart.Holds = append(cart.Holds, holdKeys...)
	cart.Updated = s.now()
	return s.carts.Put(ctx, accountID, cart, s.cfg.HoldTTL) // EXPECT kvsession
}

// Get returns the hold on seat, if any.
func (s *Service) Get(ctx context.Context, eventID, seat string) (Hold, error) {
	b, err := s.store.Get(ctx, kvkey.Hold(eventID, seat).String())
	if err != nil {
		return Hold{}, err
	}
	var h Hold
	if err := json.Unmarshal(b, &h); err != nil {
		return Hold{}, err
	}
	return h, nil
}

// StartPayment records that a payment is in flight for the given holds, so
// the release job leaves them alone until the provider answers.
func (s *Service) StartPayment(ctx context.Context, accountID string, holdKeys []string) (string, error) {
	paymentID := newID()
	b, err := json.Marshal(map[string]any{"account": accountID, "holds": holdKeys})
	if err != nil {
		return "", err
	}
	key := "pending/" + paymentID
	if err := s.store.Put(ctx, key, b, storage.WithTTL(s.cfg.PendingPaymentTTL)); err != nil {
		return "", err
	}
	return paymentID, nil
}

// Confirm turns the buyer's holds on seats into tickets.
func (s *Service) Confirm(ctx context.Context, accountID, eventID string, seats []string) (Receipt, error) {
	if len(seats) == 0 {
		return Receipt{}, errors.New("holds: nothing to confirm")
	}
	orderID := newID()
	u := storage.Begin(s.store)
	rec := Receipt{OrderID: orderID}
	for _, seat := range seats {
		h, err := s.Get(ctx, eventID, seat)
		if err != nil {
			return Receipt{}, fmt.Errorf("holds: seat %s: %w", seat, err)
		}
		if h.AccountID != accountID {
			return Receipt{}, ErrNotYours
		}
		t := Ticket{ID: newID(), EventID: eventID, Seat: seat, AccountID: accountID, OrderID: orderID, IssuedAt: s.now()}
		b, err := json.Marshal(t)
		if err != nil {
			return Receipt{}, err
		}
		u.Put(kvkey.Ticket(eventID, t.ID).String(), b)
		u.Delete(kvkey.Hold(eventID, seat).String())
		rec.Tickets = append(rec.Tickets, t.ID)
	}
	if err := u.Commit(ctx); err != nil {
		return Receipt{}, err
	}
	if err := s.receipts.Put(ctx, orderID, rec, 30*time.Second); err != nil {
		return Receipt{}, err
	}
	return rec, nil
}

// maxSeatMapPages bounds the listing behind one seat map rebuild.
const maxSeatMapPages = 5

// SeatMap returns the held seats for an event, rebuilt from the hold keys
// when the cached copy has expired.
func (s *Service) SeatMap(ctx context.Context, eventID string) (SeatMap, error) {
	key := kvkey.Event(eventID).Child("seatmap").String()
	if b, err := s.store.Get(ctx, key); err == nil {
		var m SeatMap
		if json.Unmarshal(b, &m) == nil {
			return m, nil
		}
	} else if !errors.Is(err, storage.ErrNotFound) {
		return SeatMap{}, err
	}
	m := SeatMap{EventID: eventID, Built: s.now()}
	prefix := kvkey.Holds.Child(eventID).Prefix()
	cursor := ""
	for page := 0; ; page++ {
		if page == maxSeatMapPages {
			m.Partial = true
			break
		}
		p, err := s.store.List(ctx, storage.ListOptions{Prefix: prefix, Cursor: cursor, Limit: 1000})
		if err != nil {
			return SeatMap{}, err
		}
		for _, k := range p.Keys {
			m.Held = append(m.Held, strings.TrimPrefix(k.Name, prefix))
		}
		if p.Complete {
			break
		}
		cursor = p.Cursor
	}
	sort.Strings(m.Held)
	b, err := json.Marshal(m)
	if err != nil {
		return SeatMap{}, err
	}
	if err := s.store.Put(ctx, key, b,
		storage.WithTTL(45*time.Second)); err != nil { // EXPECT kvttl
		return SeatMap{}, err
	}
	return m, nil
}

func newID() string {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}
